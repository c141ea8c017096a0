/// Scalar float conversions exactly as ggml performs them when it writes model files.
///
/// ggml's quantizers (`ggml-quants.c`) and its F16/BF16 row converters use portable bit-manipulation
/// routines from `ggml-impl.h` rather than the hardware conversion instructions. These are reproduced
/// bit for bit here, including the handling of NaN, infinities, subnormals and overflow, so that the
/// scales stored in a block and whole F16/BF16 tensors come out byte-identical to llama.cpp's.
public enum GGMLFloatConversion {
    /// IEEE binary16 bits of `value`, rounded to nearest-even: ggml's `GGML_FP32_TO_FP16`
    /// (`ggml_compute_fp32_to_fp16`). Values beyond the half range become ±infinity, every NaN
    /// becomes `0x7E00` with the input's sign bit.
    @inline(__always)
    public static func halfBits(_ value: Float) -> UInt16 {
        let scaleToInf: Float = 0x1.0p+112
        let scaleToZero: Float = 0x1.0p-110
        var base = (value.magnitude * scaleToInf) * scaleToZero
        let w = value.bitPattern
        let shl1W = w &+ w
        let sign = w & 0x8000_0000
        var bias = shl1W & 0xFF00_0000
        if bias < 0x7100_0000 { bias = 0x7100_0000 }
        base = Float(bitPattern: (bias >> 1) &+ 0x0780_0000) + base
        let bits = base.bitPattern
        let expBits = (bits >> 13) & 0x0000_7C00
        let mantissaBits = bits & 0x0000_0FFF
        let nonsign = expBits &+ mantissaBits
        return UInt16(truncatingIfNeeded: (sign >> 16) | (shl1W > 0xFF00_0000 ? 0x7E00 : nonsign))
    }

    /// The float a binary16 bit pattern stands for: ggml's `GGML_FP16_TO_FP32`
    /// (`ggml_compute_fp16_to_fp32`), exact for every finite value and infinity.
    @inline(__always)
    public static func float(halfBits h: UInt16) -> Float {
        let w = UInt32(h) << 16
        let sign = w & 0x8000_0000
        let twoW = w &+ w
        let expOffset: UInt32 = 0xE0 << 23
        let expScale: Float = 0x1.0p-112
        let normalized = Float(bitPattern: (twoW >> 4) &+ expOffset) * expScale
        let magicMask: UInt32 = 126 << 23
        let magicBias: Float = 0.5
        let denormalized = Float(bitPattern: (twoW >> 17) | magicMask) - magicBias
        let denormalizedCutoff: UInt32 = 1 << 27
        let result = sign | (twoW < denormalizedCutoff ? denormalized.bitPattern : normalized.bitPattern)
        return Float(bitPattern: result)
    }

    /// bfloat16 bits of `value`, rounded to nearest-even with NaNs made quiet: ggml's
    /// `ggml_compute_fp32_to_bf16` (used by `ggml_fp32_to_bf16_row_ref`). Subnormals are kept.
    @inline(__always)
    public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let u = value.bitPattern
        if u & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: (u >> 16) | 64) }
        return UInt16(truncatingIfNeeded: (u &+ (0x7FFF &+ ((u >> 16) & 1))) >> 16)
    }
}
