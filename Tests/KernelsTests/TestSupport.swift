import Foundation
import GGUF
@testable import Kernels

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func f16Bits(_ x: Float) -> UInt16 { Float16(x).bitPattern }
func f16(_ b: [UInt8], _ o: Int) -> Float { Float(Float16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8)) }

let allTypes: [TensorType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

/// Random but valid bytes for `count` elements of `type` (scales are small finite f16 values).
func randomData(_ type: TensorType, count: Int, rng: inout SplitMix) -> [UInt8] {
    let bpb = type.bytesPerBlock!, bs = type.blockSize
    let blocks = count / bs
    var bytes = (0..<(blocks * bpb)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    func setHalf(_ o: Int, _ v: Float) {
        let b = f16Bits(v); bytes[o] = UInt8(b & 0xFF); bytes[o + 1] = UInt8(b >> 8)
    }
    for blk in 0..<blocks {
        let p = blk * bpb
        let s = Float.random(in: 0.002...0.02, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
        switch type {
        case .f32:
            let v = Float.random(in: -1...1, using: &rng).bitPattern
            for k in 0..<4 { bytes[p + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) }
        case .f16: setHalf(p, Float.random(in: -1...1, using: &rng))
        case .bf16:
            let v = Float.random(in: -1...1, using: &rng).bitPattern >> 16
            bytes[p] = UInt8(v & 0xFF); bytes[p + 1] = UInt8(v >> 8)
        case .q4_0, .q5_0, .q8_0: setHalf(p, s)
        case .q4_1, .q5_1: setHalf(p, abs(s)); setHalf(p + 2, Float.random(in: -0.1...0.1, using: &rng))
        case .q4_K, .q5_K: setHalf(p, abs(s) / 8); setHalf(p + 2, abs(s) / 16)
        case .q6_K: setHalf(p + 208, s / 16)
        default: fatalError()
        }
    }
    return bytes
}

/// Straightforward element-by-element decoder (independent of `Dequantize`).
func referenceDecode(_ type: TensorType, _ b: [UInt8], count: Int) -> [Float] {
    let bs = type.blockSize, bpb = type.bytesPerBlock!
    var out = [Float](repeating: 0, count: count)
    for e in 0..<count {
        let p = e / bs * bpb, k = e % bs
        func u8(_ o: Int) -> Int { Int(b[p + o]) }
        func u32(_ o: Int) -> UInt32 { UInt32(b[p + o]) | UInt32(b[p + o + 1]) << 8 | UInt32(b[p + o + 2]) << 16 | UInt32(b[p + o + 3]) << 24 }
        let nibble: (Int) -> Int = { o in k < 16 ? u8(o + k) & 15 : u8(o + k - 16) >> 4 }
        var v: Float
        switch type {
        case .f32: v = Float(bitPattern: u32(0))
        case .f16: v = f16(b, p)
        case .bf16: v = Float(bitPattern: (UInt32(b[p]) | UInt32(b[p + 1]) << 8) << 16)
        case .q4_0: v = Float(nibble(2) - 8) * f16(b, p)
        case .q4_1: v = Float(nibble(4)) * f16(b, p) + f16(b, p + 2)
        case .q5_0: v = Float((nibble(6) | Int((u32(2) >> UInt32(k)) & 1) << 4) - 16) * f16(b, p)
        case .q5_1: v = Float(nibble(8) | Int((u32(4) >> UInt32(k)) & 1) << 4) * f16(b, p) + f16(b, p + 2)
        case .q8_0: v = Float(Int8(bitPattern: b[p + 2 + k])) * f16(b, p)
        case .q4_K, .q5_K:
            let j = k / 64, sub = (k % 64) / 32, l = k % 32, si = 2 * j + sub
            let sc: Int, mn: Int
            if si < 4 { sc = u8(4 + si) & 63; mn = u8(4 + si + 4) & 63 } else {
                sc = (u8(4 + si + 4) & 0xF) | ((u8(4 + si - 4) >> 6) << 4)
                mn = (u8(4 + si + 4) >> 4) | ((u8(4 + si) >> 6) << 4)
            }
            let qsOff = type == .q4_K ? 16 : 48
            let byte = u8(qsOff + 32 * j + l)
            var q = sub == 0 ? byte & 15 : byte >> 4
            if type == .q5_K { q += ((u8(16 + l) >> si) & 1) << 4 }
            v = f16(b, p) * Float(sc) * Float(q) - f16(b, p + 2) * Float(mn)
        case .q6_K:
            let half = k / 128, within = k % 128, l = within % 32, quad = within / 32
            let qlb = u8(64 * half + l + (quad & 1) * 32)
            let lo = quad >= 2 ? qlb >> 4 : qlb & 15
            let hi = (u8(128 + 32 * half + l) >> (2 * quad)) & 3
            let sc = Int8(bitPattern: b[p + 192 + 8 * half + l / 16 + 2 * quad])
            v = f16(b, p + 208) * Float(sc) * Float((lo | hi << 4) - 32)
        default: fatalError()
        }
        out[e] = v
    }
    return out
}

func modelPath(_ relative: String) -> String {
    let home = ProcessInfo.processInfo.environment["GROUPQWEN_HOME"] ?? (NSHomeDirectory() + "/.groupqwen")
    return home + "/models/" + relative
}
