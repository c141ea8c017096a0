import GGUF

@inline(__always) func halfToFloat(_ bits: UInt16) -> Float { Float(Float16(bitPattern: bits)) }
@inline(__always) func loadHalf(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    halfToFloat(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
}

/// Decoding of quantized GGUF data into floats (portable reference implementation, ggml layouts).
public enum Dequantize {
    /// Decodes `count` elements (a multiple of the block size) of `type` starting at `src` into floats.
    public static func row(_ type: TensorType, from src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        precondition(count % type.blockSize == 0, "count \(count) is not a multiple of the \(typeName(type)) block size")
        let blocks = count / type.blockSize
        switch type {
        case .f32:
            for i in 0..<count { dst[i] = src.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        case .f16:
            for i in 0..<count { dst[i] = loadHalf(src, 2 * i) }
        case .bf16:
            for i in 0..<count {
                dst[i] = Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            }
        case .q4_0:
            for b in 0..<blocks {
                let p = src + b * 18, y = dst + b * 32
                let d = loadHalf(p, 0)
                for j in 0..<16 {
                    let q = p.load(fromByteOffset: 2 + j, as: UInt8.self)
                    y[j] = Float(Int(q & 0xF) - 8) * d
                    y[j + 16] = Float(Int(q >> 4) - 8) * d
                }
            }
        case .q4_1:
            for b in 0..<blocks {
                let p = src + b * 20, y = dst + b * 32
                let d = loadHalf(p, 0), m = loadHalf(p, 2)
                for j in 0..<16 {
                    let q = p.load(fromByteOffset: 4 + j, as: UInt8.self)
                    y[j] = Float(q & 0xF) * d + m
                    y[j + 16] = Float(q >> 4) * d + m
                }
            }
        case .q5_0:
            for b in 0..<blocks {
                let p = src + b * 22, y = dst + b * 32
                let d = loadHalf(p, 0)
                let qh = p.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
                for j in 0..<16 {
                    let q = UInt32(p.load(fromByteOffset: 6 + j, as: UInt8.self))
                    let h0 = ((qh >> UInt32(j)) << 4) & 0x10
                    let h1 = (qh >> UInt32(j + 12)) & 0x10
                    y[j] = Float(Int32((q & 0xF) | h0) - 16) * d
                    y[j + 16] = Float(Int32((q >> 4) | h1) - 16) * d
                }
            }
        case .q5_1:
            for b in 0..<blocks {
                let p = src + b * 24, y = dst + b * 32
                let d = loadHalf(p, 0), m = loadHalf(p, 2)
                let qh = p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
                for j in 0..<16 {
                    let q = UInt32(p.load(fromByteOffset: 8 + j, as: UInt8.self))
                    let h0 = ((qh >> UInt32(j)) << 4) & 0x10
                    let h1 = (qh >> UInt32(j + 12)) & 0x10
                    y[j] = Float((q & 0xF) | h0) * d + m
                    y[j + 16] = Float((q >> 4) | h1) * d + m
                }
            }
        case .q8_0:
            for b in 0..<blocks {
                let p = src + b * 34, y = dst + b * 32
                let d = loadHalf(p, 0)
                for j in 0..<32 { y[j] = Float(p.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
            }
        case .q4_K:
            for b in 0..<blocks {
                let p = src + b * 144, y = dst + b * 256
                let d = loadHalf(p, 0), dmin = loadHalf(p, 2)
                let scales = p + 4, qs = p + 16
                for j in 0..<4 {
                    let (s1, m1) = scaleMinK4(2 * j, scales)
                    let (s2, m2) = scaleMinK4(2 * j + 1, scales)
                    let d1 = d * Float(s1), n1 = dmin * Float(m1)
                    let d2 = d * Float(s2), n2 = dmin * Float(m2)
                    for l in 0..<32 {
                        let q = qs.load(fromByteOffset: 32 * j + l, as: UInt8.self)
                        y[64 * j + l] = d1 * Float(q & 0xF) - n1
                        y[64 * j + 32 + l] = d2 * Float(q >> 4) - n2
                    }
                }
            }
        case .q5_K:
            for b in 0..<blocks {
                let p = src + b * 176, y = dst + b * 256
                let d = loadHalf(p, 0), dmin = loadHalf(p, 2)
                let scales = p + 4, qh = p + 16, qs = p + 48
                for j in 0..<4 {
                    let (s1, m1) = scaleMinK4(2 * j, scales)
                    let (s2, m2) = scaleMinK4(2 * j + 1, scales)
                    let d1 = d * Float(s1), n1 = dmin * Float(m1)
                    let d2 = d * Float(s2), n2 = dmin * Float(m2)
                    let u1 = UInt8(1) << UInt8(2 * j), u2 = UInt8(2) << UInt8(2 * j)
                    for l in 0..<32 {
                        let q = qs.load(fromByteOffset: 32 * j + l, as: UInt8.self)
                        let h = qh.load(fromByteOffset: l, as: UInt8.self)
                        y[64 * j + l] = d1 * Float((q & 0xF) + (h & u1 != 0 ? 16 : 0)) - n1
                        y[64 * j + 32 + l] = d2 * Float((q >> 4) + (h & u2 != 0 ? 16 : 0)) - n2
                    }
                }
            }
        case .q6_K:
            for b in 0..<blocks {
                let p = src + b * 210
                let d = loadHalf(p, 208)
                for half in 0..<2 {
                    let ql = p + 64 * half, qh = p + 128 + 32 * half
                    let sc = (p + 192 + 8 * half).assumingMemoryBound(to: Int8.self)
                    let y = dst + b * 256 + 128 * half
                    for l in 0..<32 {
                        let si = l / 16
                        let a = ql.load(fromByteOffset: l, as: UInt8.self)
                        let c = ql.load(fromByteOffset: l + 32, as: UInt8.self)
                        let h = qh.load(fromByteOffset: l, as: UInt8.self)
                        let q1 = Int((a & 0xF) | ((h & 3) << 4)) - 32
                        let q2 = Int((c & 0xF) | (((h >> 2) & 3) << 4)) - 32
                        let q3 = Int((a >> 4) | (((h >> 4) & 3) << 4)) - 32
                        let q4 = Int((c >> 4) | (((h >> 6) & 3) << 4)) - 32
                        y[l] = d * Float(sc[si]) * Float(q1)
                        y[l + 32] = d * Float(sc[si + 2]) * Float(q2)
                        y[l + 64] = d * Float(sc[si + 4]) * Float(q3)
                        y[l + 96] = d * Float(sc[si + 6]) * Float(q4)
                    }
                }
            }
        default:
            preconditionFailure("Dequantize.row: unsupported type \(typeName(type))")
        }
    }

    /// The 6-bit scale and min of sub-block `j` (0..<8) of a Q4_K/Q5_K super-block.
    @inline(__always)
    static func scaleMinK4(_ j: Int, _ q: UnsafeRawPointer) -> (UInt8, UInt8) {
        let b = q.assumingMemoryBound(to: UInt8.self)
        if j < 4 {
            return (b[j] & 63, b[j + 4] & 63)
        } else {
            return ((b[j + 4] & 0xF) | ((b[j - 4] >> 6) << 4), (b[j + 4] >> 4) | ((b[j] >> 6) << 4))
        }
    }
}
