import GGUF

/// A whole-model quantization recipe: llama.cpp's `llama_ftype`, as stored in `general.file_type`.
///
/// The raw values are llama.cpp's, so `general.file_type` can be written as `rawValue`. Only the
/// recipes whose every tensor type `Quantize` can produce are listed.
public enum QuantizationFileType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// `LLAMA_FTYPE_ALL_F32`: every quantizable tensor in F32.
    case allF32 = 0
    /// `LLAMA_FTYPE_MOSTLY_F16`: every quantizable (2-D and larger) weight in F16.
    case mostlyF16 = 1
    /// `LLAMA_FTYPE_MOSTLY_Q4_0`: Q4_0, with the output (or tied embedding) in Q6_K.
    case mostlyQ4_0 = 2
    /// `LLAMA_FTYPE_MOSTLY_Q8_0`: Q8_0 throughout.
    case mostlyQ8_0 = 7
    /// `LLAMA_FTYPE_MOSTLY_Q4_K_M`: Q4_K, with Q6_K for the output, half of `attn_v` and `ffn_down`.
    case mostlyQ4_K_M = 15
    /// `LLAMA_FTYPE_MOSTLY_Q5_K_M`: Q5_K, with Q6_K for the output, half of `attn_v` and `ffn_down`.
    case mostlyQ5_K_M = 17
    /// `LLAMA_FTYPE_MOSTLY_Q6_K`: Q6_K throughout.
    case mostlyQ6_K = 18
    /// `LLAMA_FTYPE_MOSTLY_BF16`: every quantizable weight in BF16.
    case mostlyBF16 = 32

    /// The tensor type most weights get (`llama_ftype_get_default_type`).
    public var defaultTensorType: TensorType {
        switch self {
        case .allF32: return .f32
        case .mostlyF16: return .f16
        case .mostlyQ4_0: return .q4_0
        case .mostlyQ8_0: return .q8_0
        case .mostlyQ4_K_M: return .q4_K
        case .mostlyQ5_K_M: return .q5_K
        case .mostlyQ6_K: return .q6_K
        case .mostlyBF16: return .bf16
        }
    }

    /// The lower-case name used on the command line: `f32`, `f16`, `bf16`, `q4_0`, `q8_0`,
    /// `q4_k_m`, `q5_k_m`, `q6_k`.
    public var name: String {
        switch self {
        case .allF32: return "f32"
        case .mostlyF16: return "f16"
        case .mostlyQ4_0: return "q4_0"
        case .mostlyQ8_0: return "q8_0"
        case .mostlyQ4_K_M: return "q4_k_m"
        case .mostlyQ5_K_M: return "q5_k_m"
        case .mostlyQ6_K: return "q6_k"
        case .mostlyBF16: return "bf16"
        }
    }

    /// The recipe called `name` (case-insensitive), if any.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = match
    }

    /// llama.cpp's spelling, e.g. `Q4_K_M`.
    public var description: String { name.uppercased() }
}
