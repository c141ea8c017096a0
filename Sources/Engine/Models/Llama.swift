import GGUF

/// Llama family (SmolLM2, Llama 2/3): RMSNorm, SwiGLU, normal-mode RoPE (the GGUF converter
/// permutes Q/K rows so adjacent pairs rotate together), optional tied output head.
enum Llama: Architecture {
    static let name = "llama"

    static func configuration(from gguf: GGUFFile) throws(GGUFError) -> ModelConfiguration {
        try ModelConfiguration(gguf: gguf, architecture: name, ropeStyle: .normal)
    }
}
