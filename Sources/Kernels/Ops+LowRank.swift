extension Ops {
    /// out[o] += Σ_k coefficients[k] · bT[k · stride + o] for o in `range`: one row's low-rank update
    /// `B·t` with B stored transposed (`rank` rows of `stride` floats), so every load is contiguous.
    ///
    /// The outputs are walked in blocks of 32 held in registers while the `rank` rows of Bᵀ stream
    /// past, so `out` is read and written once.
    public static func addLowRank(coefficients: UnsafePointer<Float>, rank: Int, bTransposed bT: UnsafePointer<Float>,
                                  stride: Int, range: Range<Int>, output out: UnsafeMutablePointer<Float>) {
        var o = range.lowerBound
        let end = range.upperBound
        while o + 32 <= end {
            var a0 = load16(out, o), a1 = load16(out, o + 16)
            var row = bT + o
            for k in 0..<rank {
                let c = SIMD16<Float>(repeating: coefficients[k])
                a0.addProduct(c, load16(row, 0))
                a1.addProduct(c, load16(row, 16))
                row += stride
            }
            store16(a0, out, o)
            store16(a1, out, o + 16)
            o += 32
        }
        while o + 16 <= end {
            var a0 = load16(out, o)
            var row = bT + o
            for k in 0..<rank {
                a0.addProduct(SIMD16<Float>(repeating: coefficients[k]), load16(row, 0))
                row += stride
            }
            store16(a0, out, o)
            o += 16
        }
        while o < end {
            var s = out[o]
            for k in 0..<rank { s += coefficients[k] * bT[k * stride + o] }
            out[o] = s
            o += 1
        }
    }
}
