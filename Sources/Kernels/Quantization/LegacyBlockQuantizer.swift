/// The 32-element block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0), bit-exact with ggml's
/// `quantize_row_q4_0_ref` … `quantize_row_q8_0_ref` (which is also what `quantize_q4_0` …
/// `quantize_q8_0` run when no importance matrix is given).
enum LegacyBlockQuantizer {
    /// Stores a little-endian UInt16 at `offset`.
    @inline(__always)
    static func storeHalf(_ bits: UInt16, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        p.storeBytes(of: bits.littleEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// Q4_0: 18 bytes per block (f16 `d`, 16 bytes of nibbles); levels `x / d + 8` with `d = max / -8`.
    static func q4_0(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer) {
        for b in 0..<blocks {
            let xb = x + 32 * b, yb = y + 18 * b
            var amax: Float = 0, max: Float = 0
            for j in 0..<32 {
                let v = xb[j]
                if amax < v.magnitude { amax = v.magnitude; max = v }
            }
            let d = max / -8
            let id: Float = d != 0 ? 1 / d : 0
            storeHalf(GGMLFloatConversion.halfBits(d), yb, 0)
            for j in 0..<16 {
                let x0 = xb[j] * id
                let x1 = xb[16 + j] * id
                let xi0 = UInt8(truncatingIfNeeded: Swift.min(15, QuantizationMath.truncatingInt8(x0 + 8.5)))
                let xi1 = UInt8(truncatingIfNeeded: Swift.min(15, QuantizationMath.truncatingInt8(x1 + 8.5)))
                yb.storeBytes(of: xi0 | (xi1 << 4), toByteOffset: 2 + j, as: UInt8.self)
            }
        }
    }

    /// Q4_1: 20 bytes per block (f16 `d`, f16 `m`, 16 bytes of nibbles); levels `(x − min) / d`
    /// with `d = (max − min) / 15`.
    static func q4_1(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer) {
        for b in 0..<blocks {
            let xb = x + 32 * b, yb = y + 20 * b
            var min = Float.greatestFiniteMagnitude, max = -Float.greatestFiniteMagnitude
            for j in 0..<32 {
                let v = xb[j]
                if v < min { min = v }
                if v > max { max = v }
            }
            let d = (max - min) / 15
            let id: Float = d != 0 ? 1 / d : 0
            storeHalf(GGMLFloatConversion.halfBits(d), yb, 0)
            storeHalf(GGMLFloatConversion.halfBits(min), yb, 2)
            for j in 0..<16 {
                let x0 = (xb[j] - min) * id
                let x1 = (xb[16 + j] - min) * id
                let xi0 = UInt8(truncatingIfNeeded: Swift.min(15, QuantizationMath.truncatingInt8(x0 + 0.5)))
                let xi1 = UInt8(truncatingIfNeeded: Swift.min(15, QuantizationMath.truncatingInt8(x1 + 0.5)))
                yb.storeBytes(of: xi0 | (xi1 << 4), toByteOffset: 4 + j, as: UInt8.self)
            }
        }
    }

    /// Q5_0: 22 bytes per block (f16 `d`, 32 high bits, 16 bytes of nibbles); `d = max / -16`.
    static func q5_0(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer) {
        for b in 0..<blocks {
            let xb = x + 32 * b, yb = y + 22 * b
            var amax: Float = 0, max: Float = 0
            for j in 0..<32 {
                let v = xb[j]
                if amax < v.magnitude { amax = v.magnitude; max = v }
            }
            let d = max / -16
            let id: Float = d != 0 ? 1 / d : 0
            storeHalf(GGMLFloatConversion.halfBits(d), yb, 0)
            var qh: UInt32 = 0
            for j in 0..<16 {
                let x0 = xb[j] * id
                let x1 = xb[16 + j] * id
                let xi0 = UInt8(truncatingIfNeeded: Swift.min(31, QuantizationMath.truncatingInt8(x0 + 16.5)))
                let xi1 = UInt8(truncatingIfNeeded: Swift.min(31, QuantizationMath.truncatingInt8(x1 + 16.5)))
                yb.storeBytes(of: (xi0 & 0x0F) | ((xi1 & 0x0F) << 4), toByteOffset: 6 + j, as: UInt8.self)
                qh |= UInt32((xi0 & 0x10) >> 4) << UInt32(j)
                qh |= UInt32((xi1 & 0x10) >> 4) << UInt32(j + 16)
            }
            yb.storeBytes(of: qh.littleEndian, toByteOffset: 2, as: UInt32.self)
        }
    }

    /// Q5_1: 24 bytes per block (f16 `d`, f16 `m`, 32 high bits, 16 bytes of nibbles);
    /// `d = (max − min) / 31`.
    static func q5_1(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer) {
        for b in 0..<blocks {
            let xb = x + 32 * b, yb = y + 24 * b
            var min = Float.greatestFiniteMagnitude, max = -Float.greatestFiniteMagnitude
            for j in 0..<32 {
                let v = xb[j]
                if v < min { min = v }
                if v > max { max = v }
            }
            let d = (max - min) / 31
            let id: Float = d != 0 ? 1 / d : 0
            storeHalf(GGMLFloatConversion.halfBits(d), yb, 0)
            storeHalf(GGMLFloatConversion.halfBits(min), yb, 2)
            var qh: UInt32 = 0
            for j in 0..<16 {
                let x0 = (xb[j] - min) * id
                let x1 = (xb[16 + j] - min) * id
                let xi0 = UInt8(truncatingIfNeeded: QuantizationMath.truncatingInt32(x0 + 0.5))
                let xi1 = UInt8(truncatingIfNeeded: QuantizationMath.truncatingInt32(x1 + 0.5))
                yb.storeBytes(of: (xi0 & 0x0F) | ((xi1 & 0x0F) << 4), toByteOffset: 8 + j, as: UInt8.self)
                qh |= UInt32((xi0 & 0x10) >> 4) << UInt32(j)
                qh |= UInt32((xi1 & 0x10) >> 4) << UInt32(j + 16)
            }
            yb.storeBytes(of: qh.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
    }

    /// Q8_0: 34 bytes per block (f16 `d`, 32 signed bytes); `d = amax / 127`, levels rounded half
    /// away from zero (`roundf`).
    static func q8_0(_ x: UnsafePointer<Float>, blocks: Int, into y: UnsafeMutableRawPointer) {
        for b in 0..<blocks {
            let xb = x + 32 * b, yb = y + 34 * b
            var amax: Float = 0
            for j in 0..<32 {
                let a = xb[j].magnitude
                amax = amax > a ? amax : a    // ggml's MAX(amax, fabsf(v)), NaN behaviour included
            }
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            storeHalf(GGMLFloatConversion.halfBits(d), yb, 0)
            for j in 0..<32 {
                let q = QuantizationMath.truncatingInt32((xb[j] * id).rounded(.toNearestOrAwayFromZero))
                yb.storeBytes(of: UInt8(truncatingIfNeeded: q), toByteOffset: 2 + j, as: UInt8.self)
            }
        }
    }
}
