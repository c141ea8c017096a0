/// The element encodings a GGUF tensor can use (ggml's `ggml_type` numbering).
///
/// Block-quantized types store `blockSize` elements in `bytesPerBlock` bytes.
public enum TensorType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_xxs = 16
    case iq2_xs = 17
    case iq3_xxs = 18
    case iq1_s = 19
    case iq4_nl = 20
    case iq3_s = 21
    case iq2_s = 22
    case iq4_xs = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_m = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35

    /// Number of elements in one block.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .i8, .i16, .i32, .i64, .f64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl: return 32
        default: return 256
        }
    }

    /// Bytes used by one block (nil for layouts this project does not describe).
    public var bytesPerBlock: Int? {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .i8: return 1
        case .i16: return 2
        case .i32: return 4
        case .i64, .f64: return 8
        case .q4_0: return 18      // f16 d, 16 bytes of nibbles
        case .q4_1: return 20      // f16 d, f16 m, 16 bytes of nibbles
        case .q5_0: return 22      // f16 d, u32 high bits, 16 bytes of nibbles
        case .q5_1: return 24      // f16 d, f16 m, u32 high bits, 16 bytes of nibbles
        case .q8_0: return 34      // f16 d, 32 × int8
        case .q8_1: return 36      // f16 d, f16 s, 32 × int8
        case .q2_K: return 84
        case .q3_K: return 110
        case .q4_K: return 144     // f16 d, f16 dmin, 12 bytes 6-bit scales/mins, 128 bytes nibbles
        case .q5_K: return 176     // as q4_K plus 32 bytes of high bits
        case .q6_K: return 210     // 128 bytes low nibbles, 64 bytes high 2 bits, 16 × int8 scales, f16 d
        case .q8_K: return 292     // f32 d, 256 × int8, 16 × int16 block sums
        case .iq4_nl: return 18
        case .iq4_xs: return 136
        default: return nil
        }
    }

    /// Whether the engine's kernels can compute with this type.
    public var isSupportedByKernels: Bool {
        switch self {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K: return true
        default: return false
        }
    }

    /// Bytes needed for `count` elements, or nil when `count` is not a whole number of blocks
    /// or the layout is unknown.
    public func byteCount(elements count: Int) -> Int? {
        guard let bytes = bytesPerBlock, count >= 0, count % blockSize == 0 else { return nil }
        let (product, overflow) = (count / blockSize).multipliedReportingOverflow(by: bytes)
        return overflow ? nil : product
    }

    /// ggml's name for the type, e.g. `Q4_K`.
    public var description: String {
        // Spelled out: `String(describing: self)` would call this property again and recurse forever.
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q8_1: return "Q8_1"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        case .q8_K: return "Q8_K"
        case .iq2_xxs: return "IQ2_XXS"
        case .iq2_xs: return "IQ2_XS"
        case .iq3_xxs: return "IQ3_XXS"
        case .iq1_s: return "IQ1_S"
        case .iq4_nl: return "IQ4_NL"
        case .iq3_s: return "IQ3_S"
        case .iq2_s: return "IQ2_S"
        case .iq4_xs: return "IQ4_XS"
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .f64: return "F64"
        case .iq1_m: return "IQ1_M"
        case .bf16: return "BF16"
        case .tq1_0: return "TQ1_0"
        case .tq2_0: return "TQ2_0"
        }
    }
}
