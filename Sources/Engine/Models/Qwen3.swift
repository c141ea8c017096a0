import GGUF

/// Qwen3 (dense): no QKV biases, a per-head RMSNorm on queries and keys before RoPE (NEOX), and a
/// head dimension taken from `attention.key_length`, which need not equal width / heads.
enum Qwen3: Architecture {
    static let name = "qwen3"

    static func configuration(from gguf: GGUFFile) throws(GGUFError) -> ModelConfiguration {
        var c = try ModelConfiguration(gguf: gguf, architecture: name, ropeStyle: .neox)
        c.hasQKNorm = true
        return c
    }
}
