import Engine
import Foundation
import ModelStore
import Testing
@testable import Training

/// Analytic LoRA gradients against central finite differences of the loss, in float32 with every
/// product in float (exact mode), for every target and every architecture feature: the tiny Qwen3 fixture
/// (QK-norm, untied head) and 2-layer slices of SmolLM2 (llama: normal RoPE, tied head), Qwen2.5 (biases,
/// NEOX RoPE, GQA 7:1) and Gemma 3 (post-norms, GeGLU, scaled embeddings, a sliding window shortened to 3
/// so the mask matters). Batches mix sequences of different lengths, a packed sequence of two segments,
/// and loss weights of 0, 1 and 0.5.
@Suite(.serialized)
struct GradientCheckTests {
    struct Case: CustomStringConvertible, Sendable {
        let model: String
        let layers: Int?
        let slidingWindow: Int?
        var dropout: Float = 0
        var description: String { model + (layers.map { " (\($0) layers)" } ?? "") + (dropout > 0 ? " with dropout \(dropout)" : "") }
    }

    static let cases = [
        Case(model: "qwen3-tiny-random", layers: nil, slidingWindow: nil),
        Case(model: "smollm2-135m", layers: 2, slidingWindow: nil),
        Case(model: "qwen2.5-coder-0.5b", layers: 2, slidingWindow: nil),
        Case(model: "gemma3-270m", layers: 2, slidingWindow: 3),
        Case(model: "smollm2-135m", layers: 2, slidingWindow: nil, dropout: 0.1),
    ]

    static func path(_ id: String) throws -> String {
        if id == "qwen3-tiny-random" { return TestModels.tinyPath }
        guard let url = ModelStore().localPath(for: id) else {
            Issue.record("model \(id) is not fetched: run `groupqwen models fetch \(id)`")
            throw CancellationError()
        }
        return url.path
    }

    /// Two plain sequences and one packed sequence of two segments, with seeded tokens and weights.
    static func batch(vocabulary: Int, seed: UInt64) -> TrainingBatch {
        var random = SplitMix64(seed: seed)
        func tokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(random.next(below: min(vocabulary, 5000))) } }
        func weights(_ n: Int) -> [Float] { (0..<n).map { i in i == 0 ? 0 : [0, 1, 1, 0.5][random.next(below: 4)] } }
        let a = TrainingSequence(ids: tokens(11), targetWeights: weights(11), positions: (0..<11).map(Int32.init), segmentStarts: [0])
        let b = TrainingSequence(ids: tokens(7), targetWeights: weights(7), positions: (0..<7).map(Int32.init), segmentStarts: [0])
        var w = weights(9)
        w[5] = 0  // the first token of the second segment has no target
        let packed = TrainingSequence(ids: tokens(9), targetWeights: w, positions: (0..<5).map(Int32.init) + (0..<4).map(Int32.init),
                                      segmentStarts: [0, 5])
        return TrainingBatch(sequences: [a, b, packed])
    }

    @Test(arguments: cases)
    func loraGradientsMatchFiniteDifferences(_ test: Case) throws {
        let model = try ModelLoader.load(path: try Self.path(test.model), options: ModelLoadOptions(threads: 2))
        var c = model.configuration
        if let layers = test.layers { c.layerCount = layers }
        let parameters = LoRAParameterSet(configuration: c, rank: 4, alpha: 8, usesRSLoRA: false, targets: LoRATarget.allCases, seed: 3)
        // B = 0 at initialisation would make every dA zero: give B small random values.
        var random = SplitMix64(seed: 11)
        for case let slot? in parameters.slots {
            for i in 0..<(slot.rank * slot.outputs) { parameters.values[slot.bT + i] = (random.nextUnitFloat() - 0.5) * 0.1 }
        }
        let trainer = TrainingModel(model: model, parameters: parameters, exact: true, layerLimit: test.layers,
                                    slidingWindow: test.slidingWindow, capacity: 64)
        trainer.dropout = LoRADropout(probability: test.dropout, key: 77)
        let layout = BatchLayout(Self.batch(vocabulary: model.vocabularySize, seed: 5))
        parameters.zeroGradients()
        let result = trainer.run(layout, gradients: true)
        #expect(result.lossSum.isFinite && result.lossSum > 0)
        let analytic = Array(UnsafeBufferPointer(start: parameters.gradients, count: parameters.count))

        // For every (layer, target) and each of A and Bᵀ: the entry with the largest gradient, and a random
        // ±1 direction over the whole tensor (its derivative Σ ±g_i tests every entry at once and is large
        // enough to measure in float32, where the loss sum of ~100 nats carries ~1e-5 of rounding noise).
        struct Probe { let label: String; let direction: [(Int, Float)] }
        var probes: [Probe] = []
        for case let slot? in parameters.slots {
            let name = "layer \(slot.layer) \(slot.target.shortName)"
            for (part, range) in [("A", slot.a..<(slot.a + slot.rank * slot.inputs)), ("B", slot.bT..<(slot.bT + slot.rank * slot.outputs))] {
                let largest = range.max { abs(analytic[$0]) < abs(analytic[$1]) }!
                probes.append(Probe(label: "\(name) \(part) largest entry", direction: [(largest, 1)]))
                let unit = 1 / Float(range.count).squareRoot()
                probes.append(Probe(label: "\(name) \(part) random direction",
                                    direction: range.map { ($0, random.next(below: 2) == 0 ? -unit : unit) }))
            }
        }
        func loss(along direction: [(Int, Float)], _ epsilon: Float) -> Double {
            let saved = direction.map { parameters.values[$0.0] }
            for (i, v) in direction { parameters.values[i] += epsilon * v }
            // With dropout the loss is that of the gradient pass (the same masks); otherwise the cheaper forward pass.
            let value = trainer.run(layout, gradients: test.dropout > 0).lossSum
            for ((i, _), original) in zip(direction, saved) { parameters.values[i] = original }
            return value
        }
        func centralDifference(_ direction: [(Int, Float)], _ epsilon: Float) -> Double {
            (loss(along: direction, epsilon) - loss(along: direction, -epsilon)) / Double(2 * epsilon)
        }
        var worst = 0.0, checked = 0
        for probe in probes {
            let exact = probe.direction.reduce(0.0) { $0 + Double(analytic[$1.0]) * Double($1.1) }
            // Central differences in float32 carry ~1e-4 of rounding noise in the loss sum (a few hundred nats), so
            // the steps are large: 0.05 for one entry, 0.1 along a unit direction (still in the linear regime:
            // halving them changes the differences by < 0.1 %). Below 0.05 a derivative is not measurable to 1 %.
            let epsilon: Float = probe.direction.count == 1 ? 5e-2 : 1e-1
            let numeric = centralDifference(probe.direction, epsilon)
            let scale = max(abs(numeric), abs(exact))
            guard scale >= 0.05 else {
                #expect(abs(numeric - exact) < 2e-3, "\(test) \(probe.label): analytic \(exact), numeric \(numeric)")
                continue
            }
            let relative = abs(numeric - exact) / scale
            worst = max(worst, relative)
            checked += 1
            #expect(relative <= 1e-2, "\(test) \(probe.label): analytic \(exact), numeric \(numeric), relative error \(relative)")
        }
        print("gradient check \(test): \(checked) of \(probes.count) probes measurable, worst relative error \(worst)")
        #expect(checked >= probes.count / 2, "most probes must be large enough to measure")
    }
}
