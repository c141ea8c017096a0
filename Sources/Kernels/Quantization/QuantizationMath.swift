/// The scalar helpers of ggml's quantizers (`ggml-quants.c`), reproduced with the same float
/// operations in the same order so that every rounding matches.
///
/// ggml-quants.c is compiled for baseline x86-64 without fast-math or FMA contraction, so each
/// `a * b + c` in it is a multiply followed by an add; Swift does not fuse either, and every sum
/// below is accumulated in the same order as the C loop.
enum QuantizationMath {
    /// `GROUP_MAX_EPS`: below this absolute maximum a group is treated as all zero.
    static let groupMaxEpsilon: Float = 1e-15

    /// ggml's `nearest_int`: round to nearest (ties to even) by adding 1.5·2^23 and reading the
    /// mantissa bits. Only meaningful for |x| ≤ 4194303; out-of-range inputs give the same
    /// wrapped value as the C code.
    @inline(__always)
    static func nearestInt(_ value: Float) -> Int32 {
        let v = value + 12_582_912
        return (Int32(bitPattern: v.bitPattern) & 0x007F_FFFF) &- 0x0040_0000
    }

    /// A C float-to-integer conversion as x86-64 performs it (`cvttss2si`): truncation toward
    /// zero, and `Int32.min` for NaN or values outside the Int32 range (where C leaves the result
    /// undefined and the compiled code produces this).
    @inline(__always)
    static func truncatingInt32(_ value: Float) -> Int32 {
        guard value >= -2_147_483_648, value < 2_147_483_648 else { return Int32.min }
        return Int32(value)
    }

    /// A C cast `(int8_t)value`: the low byte of the truncated 32-bit integer.
    @inline(__always)
    static func truncatingInt8(_ value: Float) -> Int32 {
        Int32(Int8(truncatingIfNeeded: truncatingInt32(value)))
    }

    /// ggml's `make_qkx2_quants` for one group of 32 values with the `use_mad = false` error:
    /// finds a scale and a (non-positive) minimum for unsigned levels `0...nmax` minimising the
    /// weighted squared error, searching `nstep + 1` candidate scales around `nmax / (max − min)`.
    ///
    /// - Parameters:
    ///   - x: 32 values; `weights`: their 32 weights.
    ///   - levels: receives the 32 chosen levels; `scratch`: 32 bytes of work space (`Laux`).
    /// - Returns: the scale and `theMin` (the negated minimum, ≥ 0 as ggml stores it).
    @inline(__always)
    static func makeQKX2Quants(
        nmax: Int32, x: UnsafePointer<Float>, weights: UnsafePointer<Float>,
        levels L: UnsafeMutablePointer<UInt8>, scratch Laux: UnsafeMutablePointer<UInt8>,
        rmin: Float, rdelta: Float, nstep: Int32
    ) -> (scale: Float, theMin: Float) {
        let n = 32
        var min = x[0]
        var max = x[0]
        var sumW = weights[0]
        var sumX = sumW * x[0]
        for i in 1..<n {
            if x[i] < min { min = x[i] }
            if x[i] > max { max = x[i] }
            let w = weights[i]
            sumW += w
            sumX += w * x[i]
        }
        if min > 0 { min = 0 }
        if max == min {
            for i in 0..<n { L[i] = 0 }
            return (0, -min)
        }
        let fmax = Float(nmax)
        var iscale = fmax / (max - min)
        var scale = 1 / iscale
        var bestError: Float = 0
        for i in 0..<n {
            let l = nearestInt(iscale * (x[i] - min))
            L[i] = UInt8(truncatingIfNeeded: Swift.max(0, Swift.min(nmax, l)))
            var diff = scale * Float(L[i]) + min - x[i]
            diff = diff * diff
            bestError += weights[i] * diff
        }
        if nstep < 1 { return (scale, -min) }
        for step in 0...nstep {
            iscale = (rmin + rdelta * Float(step) + fmax) / (max - min)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0..<n {
                var l = nearestInt(iscale * (x[i] - min))
                l = Swift.max(0, Swift.min(nmax, l))
                Laux[i] = UInt8(truncatingIfNeeded: l)
                let w = weights[i]
                let fl = Float(l)
                sumL += w * fl
                sumL2 += w * fl * fl
                sumXL += w * fl * x[i]
            }
            let D = sumW * sumL2 - sumL * sumL
            if D > 0 {
                var thisScale = (sumW * sumXL - sumX * sumL) / D
                var thisMin = (sumL2 * sumX - sumL * sumXL) / D
                if thisMin > 0 {
                    thisMin = 0
                    thisScale = sumXL / sumL2
                }
                var curError: Float = 0
                for i in 0..<n {
                    var diff = thisScale * Float(Laux[i]) + thisMin - x[i]
                    diff = diff * diff
                    curError += weights[i] * diff
                }
                if curError < bestError {
                    for i in 0..<n { L[i] = Laux[i] }
                    bestError = curError
                    scale = thisScale
                    min = thisMin
                }
            }
        }
        return (scale, -min)
    }

    /// ggml's `make_qx_quants` for one group of 16 values with `rmse_type = 1` and no importance
    /// weights (the Q6_K reference path): signed levels `-nmax..<nmax` stored as `level + nmax`,
    /// with the scale refined over 18 candidates to minimise the x²-weighted error.
    @inline(__always)
    static func makeQXQuants16(nmax: Int32, x: UnsafePointer<Float>, levels L: UnsafeMutablePointer<Int8>) -> Float {
        let n = 16
        var max: Float = 0
        var amax: Float = 0
        for i in 0..<n {
            let ax = x[i].magnitude
            if ax > amax { amax = ax; max = x[i] }
        }
        if amax < groupMaxEpsilon {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let fmax = Float(nmax)
        var iscale = Float(-nmax) / max
        var sumlx: Float = 0
        var suml2: Float = 0
        for i in 0..<n {
            var l = nearestInt(iscale * x[i])
            l = Swift.max(-nmax, Swift.min(nmax - 1, l))
            L[i] = Int8(truncatingIfNeeded: l + nmax)
            let w = x[i] * x[i]
            let fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
        var best = scale * sumlx
        for step in Int32(-9)...9 where step != 0 {
            iscale = -(fmax + 0.1 * Float(step)) / max
            sumlx = 0
            suml2 = 0
            for i in 0..<n {
                var l = nearestInt(iscale * x[i])
                l = Swift.max(-nmax, Swift.min(nmax - 1, l))
                let w = x[i] * x[i]
                let fl = Float(l)
                sumlx += w * x[i] * fl
                suml2 += w * fl * fl
            }
            if suml2 > 0 && sumlx * sumlx > best * suml2 {
                for i in 0..<n {
                    let l = nearestInt(iscale * x[i])
                    L[i] = Int8(truncatingIfNeeded: nmax + Swift.max(-nmax, Swift.min(nmax - 1, l)))
                }
                scale = sumlx / suml2
                best = scale * sumlx
            }
        }
        return scale
    }
}
