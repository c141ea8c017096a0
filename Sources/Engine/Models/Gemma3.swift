import GGUF

/// Gemma 3 (text): embeddings scaled by √width, per-head Q/K RMSNorm, extra RMSNorms after the
/// attention and feed-forward blocks, GeGLU (tanh GELU), NEOX RoPE, and interleaved attention:
/// five sliding-window layers (RoPE base 10,000) then one global layer (RoPE base from metadata).
/// The GGUF converter already folds Gemma's `1 + weight` norm convention into the stored weights.
enum Gemma3: Architecture {
    static let name = "gemma3"
    /// Every sixth layer attends globally.
    static let slidingWindowPattern = 6
    static let localRopeBase: Float = 10_000

    static func configuration(from gguf: GGUFFile) throws(GGUFError) -> ModelConfiguration {
        var c = try ModelConfiguration(gguf: gguf, architecture: name, ropeStyle: .neox)
        c.hasQKNorm = true
        c.hasPostNorms = true
        c.scalesEmbedding = true
        c.activation = .gelu
        c.slidingWindow = gguf.int("\(name).attention.sliding_window") ?? 0
        c.slidingWindowPattern = slidingWindowPattern
        c.ropeBaseSlidingWindow = localRopeBase
        return c
    }
}
