/// Portable Swift-SIMD versions of the Q8_0 and Q4_K decode dot products (against activations in the
/// C kernels' Q8_32 / Q8_K record formats). They exist to measure the C/AVX2 kernels against
/// (KernelBench); `MatMul` does not use them.
public enum SwiftSIMDDots {
    /// Σ_c W[c]·x[c] for one Q8_0 row; `act` is a Q8_32 record of `columns` elements.
    public static func q8_0(row: UnsafeRawPointer, act: UnsafeRawPointer, columns: Int) -> Float {
        let nb = columns / 32
        let ad = (act + columns).assumingMemoryBound(to: Float.self)
        var acc = SIMD8<Float>()
        for b in 0..<nb {
            let p = row + 34 * b
            let d = loadHalf(p, 0) * ad[b]
            let w = SIMD32<Int16>(truncatingIfNeeded: (p + 2).loadUnaligned(as: SIMD32<Int8>.self))
            let a = SIMD32<Int16>(truncatingIfNeeded: (act + 32 * b).loadUnaligned(as: SIMD32<Int8>.self))
            let prod = w &* a
            let s32 = SIMD8<Int32>(truncatingIfNeeded: prod.lowHalf.lowHalf) &+ SIMD8<Int32>(truncatingIfNeeded: prod.lowHalf.highHalf)
                &+ SIMD8<Int32>(truncatingIfNeeded: prod.highHalf.lowHalf) &+ SIMD8<Int32>(truncatingIfNeeded: prod.highHalf.highHalf)
            acc.addProduct(SIMD8<Float>(s32), SIMD8<Float>(repeating: d))
        }
        return acc.sum()
    }

    /// Σ_c W[c]·x[c] for one Q4_K row; `act` is a Q8_K record of `columns` elements.
    public static func q4_K(row: UnsafeRawPointer, act: UnsafeRawPointer, columns: Int) -> Float {
        let nb = columns / 256
        let ad = (act + columns).assumingMemoryBound(to: Float.self)
        let bsums = (act + columns + 4 * nb).assumingMemoryBound(to: Int16.self)
        var total: Float = 0
        for b in 0..<nb {
            let p = row + 144 * b
            let d = loadHalf(p, 0), dmin = loadHalf(p, 2)
            var sumi: Int32 = 0, summ: Int32 = 0
            for c in 0..<4 {
                let q = (p + 16 + 32 * c).loadUnaligned(as: SIMD32<UInt8>.self)
                let lo = SIMD32<Int16>(truncatingIfNeeded: q & 0x0F), hi = SIMD32<Int16>(truncatingIfNeeded: q &>> 4)
                let a0 = SIMD32<Int16>(truncatingIfNeeded: (act + 256 * b + 64 * c).loadUnaligned(as: SIMD32<Int8>.self))
                let a1 = SIMD32<Int16>(truncatingIfNeeded: (act + 256 * b + 64 * c + 32).loadUnaligned(as: SIMD32<Int8>.self))
                let p0 = lo &* a0, p1 = hi &* a1
                let s0 = SIMD16<Int32>(truncatingIfNeeded: p0.lowHalf) &+ SIMD16<Int32>(truncatingIfNeeded: p0.highHalf)
                let s1 = SIMD16<Int32>(truncatingIfNeeded: p1.lowHalf) &+ SIMD16<Int32>(truncatingIfNeeded: p1.highHalf)
                let (sc0, m0) = Dequantize.scaleMinK4(2 * c, p + 4)
                let (sc1, m1) = Dequantize.scaleMinK4(2 * c + 1, p + 4)
                sumi &+= s0.wrappedSum() &* Int32(sc0) &+ s1.wrappedSum() &* Int32(sc1)
                summ &+= Int32(m0) &* (Int32(bsums[16 * b + 4 * c]) &+ Int32(bsums[16 * b + 4 * c + 1]))
                summ &+= Int32(m1) &* (Int32(bsums[16 * b + 4 * c + 2]) &+ Int32(bsums[16 * b + 4 * c + 3]))
            }
            total += ad[b] * (d * Float(sumi) - dmin * Float(summ))
        }
        return total
    }
}
