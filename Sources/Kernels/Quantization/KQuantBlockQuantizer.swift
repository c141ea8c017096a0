/// The 256-element super-block formats (Q4_K, Q5_K, Q6_K), bit-exact with ggml's
/// `quantize_row_q4_K_ref`, `quantize_row_q5_K_ref` and `quantize_row_q6_K_ref` (what
/// `quantize_q4_K` … `quantize_q6_K` run when no importance matrix is given).
enum KQuantBlockQuantizer {
    /// Work space for one thread: reused across blocks so that quantizing allocates nothing per block.
    final class Scratch {
        let levels = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        let signedLevels = UnsafeMutablePointer<Int8>.allocate(capacity: 256)
        let aux = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
        let weights = UnsafeMutablePointer<Float>.allocate(capacity: 32)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: 16)
        let mins = UnsafeMutablePointer<Float>.allocate(capacity: 8)

        init() {}

        deinit {
            levels.deallocate(); signedLevels.deallocate(); aux.deallocate()
            weights.deallocate(); scales.deallocate(); mins.deallocate()
        }
    }

    /// Q4_K: 144 bytes per super-block (f16 `d`, f16 `dmin`, 12 bytes of 6-bit scales and mins,
    /// 128 bytes of nibbles).
    static func q4_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer, scratch: Scratch) {
        for b in 0..<blocks {
            let yb = y + 144 * b
            scalesAndMins(x + 256 * b, nmax: 15, rmin: -1, nstep: 20, into: yb, scratch: scratch)
            let L = scratch.levels
            for j in 0..<4 {
                for l in 0..<32 {
                    let q = L[64 * j + l] | (L[64 * j + l + 32] << 4)
                    yb.storeBytes(of: q, toByteOffset: 16 + 32 * j + l, as: UInt8.self)
                }
            }
        }
    }

    /// Q5_K: 176 bytes per super-block (as Q4_K, plus 32 bytes of fifth bits before the nibbles).
    static func q5_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer, scratch: Scratch) {
        for b in 0..<blocks {
            let yb = y + 176 * b
            scalesAndMins(x + 256 * b, nmax: 31, rmin: -0.5, nstep: 15, into: yb, scratch: scratch)
            let L = scratch.levels
            let qh = yb + 16, ql = yb + 48
            for j in 0..<32 { qh.storeBytes(of: 0, toByteOffset: j, as: UInt8.self) }
            var m1: UInt8 = 1, m2: UInt8 = 2
            for n in stride(from: 0, to: 256, by: 64) {
                let qlRow = ql + n / 2
                for j in 0..<32 {
                    var l1 = L[n + j]
                    var h = qh.load(fromByteOffset: j, as: UInt8.self)
                    if l1 > 15 { l1 -= 16; h |= m1 }
                    var l2 = L[n + j + 32]
                    if l2 > 15 { l2 -= 16; h |= m2 }
                    qh.storeBytes(of: h, toByteOffset: j, as: UInt8.self)
                    qlRow.storeBytes(of: l1 | (l2 << 4), toByteOffset: j, as: UInt8.self)
                }
                m1 <<= 2
                m2 <<= 2
            }
        }
    }

    /// The shared first half of Q4_K and Q5_K: per 32-value group a scale and min from
    /// `make_qkx2_quants`, both quantized to 6 bits against the super-block's f16 `d` and `dmin`,
    /// then the final levels (`0...nmax`) in `scratch.levels`. Writes bytes 0..<16 of the block.
    @inline(__always)
    private static func scalesAndMins(
        _ x: UnsafePointer<Float>, nmax: Int32, rmin: Float, nstep: Int32,
        into yb: UnsafeMutableRawPointer, scratch: Scratch
    ) {
        let L = scratch.levels, weights = scratch.weights, scales = scratch.scales, mins = scratch.mins
        var maxScale: Float = 0
        var maxMin: Float = 0
        for j in 0..<8 {
            let xg = x + 32 * j
            var sumX2: Float = 0
            for l in 0..<32 { sumX2 += xg[l] * xg[l] }
            let avX = (sumX2 / 32).squareRoot()
            for l in 0..<32 { weights[l] = avX + xg[l].magnitude }
            let (scale, theMin) = QuantizationMath.makeQKX2Quants(
                nmax: nmax, x: xg, weights: weights, levels: L + 32 * j, scratch: scratch.aux,
                rmin: rmin, rdelta: 0.1, nstep: nstep)
            scales[j] = scale
            mins[j] = theMin
            if scale > maxScale { maxScale = scale }
            if theMin > maxMin { maxMin = theMin }
        }
        let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
        let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
        let sc = yb + 4
        for j in 0..<8 {
            let ls = Swift.min(63, UInt8(truncatingIfNeeded: QuantizationMath.nearestInt(invScale * scales[j])))
            let lm = Swift.min(63, UInt8(truncatingIfNeeded: QuantizationMath.nearestInt(invMin * mins[j])))
            if j < 4 {
                sc.storeBytes(of: ls, toByteOffset: j, as: UInt8.self)
                sc.storeBytes(of: lm, toByteOffset: j + 4, as: UInt8.self)
            } else {
                sc.storeBytes(of: (ls & 0xF) | ((lm & 0xF) << 4), toByteOffset: j + 4, as: UInt8.self)
                let a = sc.load(fromByteOffset: j - 4, as: UInt8.self)
                sc.storeBytes(of: a | ((ls >> 4) << 6), toByteOffset: j - 4, as: UInt8.self)
                let c = sc.load(fromByteOffset: j, as: UInt8.self)
                sc.storeBytes(of: c | ((lm >> 4) << 6), toByteOffset: j, as: UInt8.self)
            }
        }
        let dBits = GGMLFloatConversion.halfBits(maxScale / 63)
        let dminBits = GGMLFloatConversion.halfBits(maxMin / 63)
        LegacyBlockQuantizer.storeHalf(dBits, yb, 0)
        LegacyBlockQuantizer.storeHalf(dminBits, yb, 2)
        let dAll = GGMLFloatConversion.float(halfBits: dBits)
        let dminAll = GGMLFloatConversion.float(halfBits: dminBits)
        for j in 0..<8 {
            let (s, m) = Dequantize.scaleMinK4(j, UnsafeRawPointer(sc))
            let d = dAll * Float(s)
            if d == 0 { continue }
            let dm = dminAll * Float(m)
            let xg = x + 32 * j
            for ii in 0..<32 {
                let l = QuantizationMath.nearestInt((xg[ii] + dm) / d)
                L[32 * j + ii] = UInt8(truncatingIfNeeded: Swift.max(0, Swift.min(nmax, l)))
            }
        }
    }

    /// Q6_K: 210 bytes per super-block (128 bytes of low nibbles, 64 bytes of high 2-bit pairs,
    /// 16 signed 8-bit scales, f16 `d`).
    static func q6_K(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer, scratch: Scratch) {
        let L = scratch.signedLevels, scales = scratch.scales
        for b in 0..<blocks {
            let xb = x + 256 * b, yb = y + 210 * b
            var maxScale: Float = 0
            var maxAbsScale: Float = 0
            for ib in 0..<16 {
                let scale = QuantizationMath.makeQXQuants16(nmax: 32, x: xb + 16 * ib, levels: L + 16 * ib)
                scales[ib] = scale
                let absScale = scale.magnitude
                if absScale > maxAbsScale {
                    maxAbsScale = absScale
                    maxScale = scale
                }
            }
            if maxAbsScale < QuantizationMath.groupMaxEpsilon {
                for k in 0..<210 { yb.storeBytes(of: 0, toByteOffset: k, as: UInt8.self) }
                LegacyBlockQuantizer.storeHalf(GGMLFloatConversion.halfBits(0), yb, 208)
                continue
            }
            let iscale = -128 / maxScale
            let dBits = GGMLFloatConversion.halfBits(1 / iscale)
            LegacyBlockQuantizer.storeHalf(dBits, yb, 208)
            let sc = yb + 192
            for ib in 0..<16 {
                let s = Swift.min(127, QuantizationMath.nearestInt(iscale * scales[ib]))
                sc.storeBytes(of: Int8(truncatingIfNeeded: s), toByteOffset: ib, as: Int8.self)
            }
            let dAll = GGMLFloatConversion.float(halfBits: dBits)
            for j in 0..<16 {
                let d = dAll * Float(sc.load(fromByteOffset: j, as: Int8.self))
                if d == 0 { continue }
                for ii in 0..<16 {
                    let l = QuantizationMath.nearestInt(xb[16 * j + ii] / d)
                    L[16 * j + ii] = Int8(truncatingIfNeeded: Swift.max(-32, Swift.min(31, l)) + 32)
                }
            }
            for half in 0..<2 {
                let j = 128 * half
                let ql = yb + 64 * half, qh = yb + 128 + 32 * half
                for l in 0..<32 {
                    let q1 = UInt8(bitPattern: L[j + l]), q2 = UInt8(bitPattern: L[j + l + 32])
                    let q3 = UInt8(bitPattern: L[j + l + 64]), q4 = UInt8(bitPattern: L[j + l + 96])
                    ql.storeBytes(of: (q1 & 0xF) | ((q3 & 0xF) << 4), toByteOffset: l, as: UInt8.self)
                    ql.storeBytes(of: (q2 & 0xF) | ((q4 & 0xF) << 4), toByteOffset: l + 32, as: UInt8.self)
                    let h = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6)
                    qh.storeBytes(of: h, toByteOffset: l, as: UInt8.self)
                }
            }
        }
    }
}
