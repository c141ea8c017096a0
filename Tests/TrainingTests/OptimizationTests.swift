import Testing
@testable import Training

@Suite("AdamW, clipping, schedule, accumulation")
struct OptimizationTests {
    static let start: [Float] = [0.5, -1.0, 2.0, 0.0, 1e-3]
    static let gradients: [[Float]] = [[0.1, -0.2, 0.3, 1e-4, -5.0], [-0.05, 0.4, 0.3, 0.0, 2.5], [0.2, -0.1, -0.6, 3e-3, -1.0]]

    static func close(_ a: [Float], _ b: [Double], tolerance: Double = 2e-7) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance * max(1, abs($1)) }
    }

    /// Three steps at lr 1e-2, against torch.optim.AdamW's update computed in float32 with numpy
    /// (`p *= f32(1-lr*wd); m += f32(1-β1)(g-m); v = v·f32(β2) + f32(1-β2)·g·g;
    /// p += f32(-lr/(1-β1ᵗ))·m / (√v / f32(√(1-β2ᵗ)) + f32(ε))`), pasted here.
    @Test("matches torch.optim.AdamW step for step", arguments: [0.0, 0.1])
    func adamW(weightDecay: Double) {
        var optimizer = AdamW(counts: [5, 2], hyperparameters: AdamW.Hyperparameters(weightDecay: weightDecay))
        var parameters: [[Float]] = [Self.start, [1, -1]]
        for g in Self.gradients { optimizer.update(parameters: &parameters, gradients: [g, [0.5, 0.5]], learningRate: 1e-2) }
        #expect(optimizer.step == 3)
        let expected: [Double] = weightDecay == 0
            ? [0.4807555079460144, -0.9950279593467712, 1.9807565212249756, -0.02325557731091976, 0.016815803945064545]
            : [0.47927966713905334, -0.9920473694801331, 1.9747925996780396, -0.02322888933122158, 0.016790155321359634]
        #expect(Self.close(parameters[0], expected), "\(parameters[0])")
        #expect(Self.close(optimizer.m[0], [0.023600002750754356, 0.009800001047551632, -0.008699998259544373, 0.0003081000177189708, -0.2800000011920929]))
        #expect(Self.close(optimizer.v[0], [5.2477513236226514e-05, 0.00020976006635464728, 0.0005397301283665001, 9.00998031738709e-09, 0.03219377622008324]))
        // A constant gradient moves each weight by lr per step (bias correction makes m̂/√v̂ exactly 1), after decay.
        let decay = 1 - 1e-2 * weightDecay
        var expectedConstant: [Double] = [1, -1]
        for _ in 0..<3 { expectedConstant = expectedConstant.map { $0 * decay - 1e-2 } }
        #expect(Self.close(parameters[1], expectedConstant, tolerance: 1e-6), "\(parameters[1])")
    }

    @Test("the three update entry points agree")
    func entryPoints() {
        var a = AdamW(counts: [5])
        var b = a
        var c = a
        var arrays: [[Float]] = [Self.start]
        var named = [ParameterTensor(name: "w", shape: [5], values: Self.start)]
        var raw = Self.start
        for g in Self.gradients {
            a.update(parameters: &arrays, gradients: [g], learningRate: 3e-3)
            b.update(parameters: &named, gradients: [g], learningRate: 3e-3)
            raw.withUnsafeMutableBufferPointer { p in
                g.withUnsafeBufferPointer { gp in c.update(parameters: [p], gradients: [gp], learningRate: 3e-3) }
            }
        }
        #expect(arrays[0] == named[0].values)
        #expect(arrays[0] == raw)
        #expect(a == b && b == c)
    }

    @Test("global-norm clipping as clip_grad_norm_: returns the norm before clipping")
    func clipping() {
        var grads: [[Float]] = [[3, 4], [12]]
        #expect(GradientClipping.clip(&grads, maxNorm: 1) == 13)
        #expect(abs(GradientClipping.globalNorm(grads) - 1) < 1e-6)
        let scale = Float(1 / (13 + 1e-6))
        #expect(grads == [[3 * scale, 4 * scale], [12 * scale]])
        var small: [[Float]] = [[0.3, 0.4]]
        #expect(abs(GradientClipping.clip(&small, maxNorm: 1) - 0.5) < 1e-7)
        #expect(small == [[0.3, 0.4]])
        var off: [[Float]] = [[30, 40]]
        #expect(GradientClipping.clip(&off, maxNorm: 0) == 50)
        #expect(off == [[30, 40]])
        var bad: [[Float]] = [[.nan, 1]]
        #expect(GradientClipping.clip(&bad, maxNorm: 1).isNaN)
        #expect(bad[0][1] == 1)
        var buffer: [Float] = [6, 8]
        buffer.withUnsafeMutableBufferPointer { #expect(GradientClipping.clip([$0], maxNorm: 5) == 10) }
        #expect(abs(buffer[0] - 3) < 1e-5 && abs(buffer[1] - 4) < 1e-5)
    }

    @Test("warmup then cosine, linear or constant decay")
    func schedule() {
        let cosine = LearningRateSchedule(peak: 1e-3, warmupSteps: 2, totalSteps: 10)
        #expect(cosine.learningRate(at: 1) == 5e-4)
        #expect(cosine.learningRate(at: 2) == 1e-3)
        #expect(cosine.learningRate(at: 3) == 1e-3)
        #expect(abs(cosine.learningRate(at: 4) - 0.0009619397662556434) < 1e-15)
        #expect(abs(cosine.learningRate(at: 10) - 3.806023374435663e-05) < 1e-15)
        #expect(cosine.learningRate(at: 11) == cosine.learningRate(at: 10))
        let linear = LearningRateSchedule(peak: 1e-3, minimum: 1e-4, warmupSteps: 2, totalSteps: 10, decay: .linear)
        #expect(abs(linear.learningRate(at: 6) - 6.625e-4) < 1e-15)
        #expect(abs(linear.learningRate(at: 10) - 2.125e-4) < 1e-15)
        let constant = LearningRateSchedule(peak: 1e-3, warmup: .ratio(0.25), totalSteps: 8, decay: .constant)
        #expect(constant.warmupSteps == 2)
        #expect((1...8).map(constant.learningRate(at:)) == [5e-4] + [Double](repeating: 1e-3, count: 7))
        // Ratios round up, as transformers does; short runs are clamped.
        #expect(Warmup.ratio(0.03).steps(totalSteps: 100) == 3)
        #expect(Warmup.ratio(0.03).steps(totalSteps: 10) == 1)
        #expect(Warmup.steps(50).steps(totalSteps: 10) == 10)
        #expect(LearningRateSchedule(peak: 1, warmupSteps: 0, totalSteps: 1).learningRate(at: 1) == 1)
        // The minimum is approached, never reached, and the curve never rises after warmup.
        let long = LearningRateSchedule(peak: 2e-4, minimum: 1e-5, warmup: .ratio(0.03), totalSteps: 1000)
        let rates = (1...1000).map(long.learningRate(at:))
        #expect(zip(rates.dropFirst(long.warmupSteps), rates.dropFirst(long.warmupSteps + 1)).allSatisfy { $0 >= $1 })
        #expect(rates.last! > 1e-5 && rates.last! < 1.01e-5)
    }

    @Test("gradient accumulation averages over target tokens")
    func accumulation() {
        var accumulator = GradientAccumulator(microBatchesPerStep: 2)
        accumulator.add(lossSum: 6, targetWeight: 3, tokens: 10)
        #expect(!accumulator.isComplete)
        accumulator.add(lossSum: 4, targetWeight: 1, tokens: 7)
        #expect(accumulator.isComplete)
        #expect(accumulator.meanLoss == 2.5)
        #expect(accumulator.gradientScale == 0.25)
        #expect(accumulator.tokens == 17)
        var grads: [[Float]] = [[4, 8]]
        accumulator.scale(&grads)
        #expect(grads == [[1, 2]])
        accumulator.reset()
        #expect(accumulator.meanLoss.isNaN && accumulator.gradientScale == 0 && accumulator.microBatches == 0)
    }
}
