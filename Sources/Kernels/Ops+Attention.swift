extension Ops {
    /// out[0..<dim] = Σ_j weights[j] · values[j·stride ..< j·stride + dim]: the P·V step of attention.
    ///
    /// Each 32-float slice of `out` stays in four SIMD8 registers across all `count` rows, so only the
    /// value rows are loaded; an axpy per row would load and store `out` every time.
    public static func weightedSum(weights: UnsafePointer<Float>, count: Int, values: UnsafePointer<Float>,
                                   stride: Int, dim: Int, output out: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        var d = 0
        while d + 32 <= dim {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            var row = values + d
            for j in 0..<count {
                let w = V(repeating: weights[j])
                a0.addProduct(w, load(row))
                a1.addProduct(w, load(row + 8))
                a2.addProduct(w, load(row + 16))
                a3.addProduct(w, load(row + 24))
                row += stride
            }
            store(a0, out + d); store(a1, out + d + 8); store(a2, out + d + 16); store(a3, out + d + 24)
            d += 32
        }
        while d + 8 <= dim {
            var a = V()
            var row = values + d
            for j in 0..<count {
                a.addProduct(V(repeating: weights[j]), load(row))
                row += stride
            }
            store(a, out + d)
            d += 8
        }
        while d < dim {
            var a: Float = 0
            for j in 0..<count { a += weights[j] * values[j * stride + d] }
            out[d] = a
            d += 1
        }
    }
}
