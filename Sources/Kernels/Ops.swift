import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise and reduction operations on float vectors (SIMD, several accumulators).
public enum Ops {
    @inline(__always) static func load16(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// Sum of the 16 lanes as a tree of vector adds (`SIMD16.sum()` is a serial chain of 15 scalar adds).
    @inline(__always) static func reduce(_ v: SIMD16<Float>) -> Float {
        let h8 = v.lowHalf + v.highHalf
        let h4 = h8.lowHalf + h8.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2[0] + h2[1]
    }

    /// Σ a[i]·b[i].
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= count {
            s0.addProduct(load16(a, i), load16(b, i))
            s1.addProduct(load16(a, i + 16), load16(b, i + 16))
            i += 32
        }
        if i + 16 <= count { s0.addProduct(load16(a, i), load16(b, i)); i += 16 }
        var s = reduce(s0 + s1)
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ x[i]².
    @inline(__always) static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= count {
            let a = load16(x, i), b = load16(x, i + 16)
            s0.addProduct(a, a); s1.addProduct(b, b)
            i += 32
        }
        if i + 16 <= count { let a = load16(x, i); s0.addProduct(a, a); i += 16 }
        var s = reduce(s0 + s1)
        while i < count { s += x[i] * x[i]; i += 1 }
        return s
    }

    /// output = x / sqrt(mean(x²) + epsilon) · weight (weight nil = 1). `output` may alias `x`.
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, count: Int, epsilon: Float, output: UnsafeMutablePointer<Float>) {
        let ss = sumOfSquares(x, count: count)
        let scale = 1 / (ss / Float(count) + epsilon).squareRoot()
        var i = 0
        if let w = weight {
            while i + 16 <= count { store16(load16(x, i) * scale * load16(w, i), output, i); i += 16 }
            while i < count { output[i] = x[i] * scale * w[i]; i += 1 }
        } else {
            while i + 16 <= count { store16(load16(x, i) * scale, output, i); i += 16 }
            while i < count { output[i] = x[i] * scale; i += 1 }
        }
    }

    /// output = (x − mean) / sqrt(var + epsilon) · weight + bias (weight/bias nil = 1/0). `output` may alias `x`.
    public static func layerNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, count: Int, epsilon: Float, output: UnsafeMutablePointer<Float>) {
        var sum: Float = 0
        for i in 0..<count { sum += x[i] }
        let mean = sum / Float(count)
        var v: Float = 0
        for i in 0..<count { let d = x[i] - mean; v += d * d }
        let scale = 1 / (v / Float(count) + epsilon).squareRoot()
        for i in 0..<count {
            var y = (x[i] - mean) * scale
            if let w = weight { y *= w[i] }
            if let b = bias { y += b[i] }
            output[i] = y
        }
    }

    /// RoPE in place on `headCount` heads of `headDim` floats each (contiguous) at `position`.
    ///
    /// `dimensions` (even, ≤ headDim) are rotated; the rest are left unchanged.
    /// neox=false: pairs (2i, 2i+1) (ggml NORM mode, llama); neox=true: pairs (i, i + dimensions/2)
    /// (qwen2, qwen3, gemma3). θ_i = position · base^(−2i/dimensions), computed exactly like ggml
    /// (float powf and an iterated float product).
    /// With `inverse` the rotation goes the other way (angle −θ): the transpose, which carries gradients
    /// back through RoPE.
    public static func rope(_ x: UnsafeMutablePointer<Float>, headCount: Int, headDim: Int, dimensions: Int, position: Int, base: Float, neox: Bool,
                            inverse: Bool = false) {
        let half = dimensions / 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * max(half, 1)) { buf in
            let cosT = buf.baseAddress!, sinT = cosT + half
            let thetaScale = powf(base, -2.0 / Float(dimensions))
            var theta = Float(position)
            for i in 0..<half {
                cosT[i] = cosf(theta)
                sinT[i] = inverse ? -sinf(theta) : sinf(theta)
                theta *= thetaScale
            }
            for h in 0..<headCount {
                let v = x + h * headDim
                if neox {
                    for i in 0..<half {
                        let x0 = v[i], x1 = v[i + half]
                        v[i] = x0 * cosT[i] - x1 * sinT[i]
                        v[i + half] = x0 * sinT[i] + x1 * cosT[i]
                    }
                } else {
                    for i in 0..<half {
                        let x0 = v[2 * i], x1 = v[2 * i + 1]
                        v[2 * i] = x0 * cosT[i] - x1 * sinT[i]
                        v[2 * i + 1] = x0 * sinT[i] + x1 * cosT[i]
                    }
                }
            }
        }
    }

    /// In-place numerically stable softmax.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var m = -Float.infinity
        for i in 0..<count { m = max(m, x[i]) }
        let sum = ck_exp_shifted_sum(x, Int32(count), m)
        scale(x, by: 1 / sum, count: count)
    }

    /// log Σ exp(x[i]), computed stably (−inf when `count` is 0).
    public static func logSumExp(_ x: UnsafePointer<Float>, count: Int) -> Float {
        ck_log_sum_exp(x, Int32(count))
    }

    /// Index of the largest element; the lowest index wins a tie, NaNs are skipped (0 if none is > −inf).
    public static func maxIndex(_ x: UnsafePointer<Float>, count: Int) -> Int {
        Int(ck_max_index(x, Int32(count)))
    }

    /// output[i] = x[i] · sigmoid(x[i]). `output` may alias `x`.
    public static func silu(_ x: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        ck_silu(x, Int32(count), output)
    }

    @inline(__always) static func geluScalar(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.79788456080286535587989211986876
        let coefA: Float = 0.044715
        return 0.5 * x * (1 + tanhf(sqrt2OverPi * x * (1 + coefA * x * x)))
    }

    /// GELU, tanh approximation (ggml_gelu). `output` may alias `x`.
    public static func gelu(_ x: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        ck_gelu(x, Int32(count), output)
    }

    /// output = silu(gate) · up. `output` may alias either input.
    public static func swiglu(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        ck_swiglu(gate, up, Int32(count), output)
    }

    /// output = gelu(gate) · up (Gemma 3). `output` may alias either input.
    public static func geglu(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        ck_geglu(gate, up, Int32(count), output)
    }

    /// output = a + b. `output` may alias either input.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        var i = 0
        while i + 16 <= count { store16(load16(a, i) + load16(b, i), output, i); i += 16 }
        while i < count { output[i] = a[i] + b[i]; i += 1 }
    }

    /// output = a · b (element-wise). `output` may alias either input.
    public static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        var i = 0
        while i + 16 <= count { store16(load16(a, i) * load16(b, i), output, i); i += 16 }
        while i < count { output[i] = a[i] * b[i]; i += 1 }
    }

    /// x *= factor, in place.
    public static func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(x, i) * factor, x, i); i += 16 }
        while i < count { x[i] *= factor; i += 1 }
    }

    /// y += a · x.
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(y, i).addingProduct(a, load16(x, i)), y, i); i += 16 }
        while i < count { y[i] += a * x[i]; i += 1 }
    }
}
