import GGUF

/// Qwen2 / Qwen2.5: the Llama block with biases on Q, K and V and NEOX-style RoPE.
/// (The biases are picked up from `attn_{q,k,v}.bias` when present.)
enum Qwen2: Architecture {
    static let name = "qwen2"

    static func configuration(from gguf: GGUFFile) throws(GGUFError) -> ModelConfiguration {
        try ModelConfiguration(gguf: gguf, architecture: name, ropeStyle: .neox)
    }
}
