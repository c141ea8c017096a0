import CKernels

extension Ops {
    /// Backward of `y = x · r · w` with `r = 1/√(mean(x²) + ε)` for one row: writes (or with `accumulate`
    /// adds) `dx = r·g − r³·x·(g·x)/n` where `g = dy ∘ w` (w nil = 1).
    public static func rmsNormBackward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, dy: UnsafePointer<Float>, count n: Int,
                                       epsilon: Float, dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let r = 1 / (sumOfSquares(x, count: n) / Float(n) + epsilon).squareRoot()
        var gx: Float = 0
        if let w = weight {
            var s0 = SIMD16<Float>()
            var i = 0
            while i + 16 <= n { s0.addProduct(load16(dy, i) * load16(w, i), load16(x, i)); i += 16 }
            gx = reduce(s0)
            while i < n { gx += dy[i] * w[i] * x[i]; i += 1 }
        } else {
            gx = dot(dy, x, count: n)
        }
        let c = r * r * r * gx / Float(n)
        var i = 0
        let vr = SIMD16<Float>(repeating: r), vc = SIMD16<Float>(repeating: c)
        while i + 16 <= n {
            let g = weight.map { load16(dy, i) * load16($0, i) } ?? load16(dy, i)
            var v = vr * g - vc * load16(x, i)
            if accumulate { v += load16(dx, i) }
            store16(v, dx, i)
            i += 16
        }
        while i < n {
            let g = dy[i] * (weight?[i] ?? 1)
            let v = r * g - c * x[i]
            dx[i] = accumulate ? dx[i] + v : v
            i += 1
        }
    }

    /// Backward of `act = silu(gate) · up` (or GELU with `gelu`): from `dAct` writes `dGate` and `dUp`.
    public static func gatedBackward(gelu: Bool, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, dAct: UnsafePointer<Float>, count: Int,
                                     dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>) {
        if gelu {
            ck_geglu_backward(gate, up, dAct, Int32(count), dGate, dUp)
        } else {
            ck_swiglu_backward(gate, up, dAct, Int32(count), dGate, dUp)
        }
    }

    /// out[k][j] += Σ_t coefficients[t][k] · rows[t][j] for t < count, k < rank, j in `columns`
    /// (row strides in floats). The LoRA gradients dA = Gᵀ·X and dBᵀ = Uᵀ·dY are such sums of outer products.
    public static func accumulateOuter(count: Int, rank: Int, coefficients: UnsafePointer<Float>, coefficientStride: Int,
                                       rows: UnsafePointer<Float>, rowStride: Int, columns: Range<Int>,
                                       output: UnsafeMutablePointer<Float>, outputStride: Int) {
        guard !columns.isEmpty, count > 0, rank > 0 else { return }
        ck_outer_accumulate(Int32(count), Int32(rank), coefficients, coefficientStride, rows, rowStride,
                            Int32(columns.lowerBound), Int32(columns.upperBound), output, outputStride)
    }
}
