import GGUF

/// How positions are rotated into queries and keys.
public enum RopeStyle: Sendable {
    /// Adjacent pairs (2i, 2i+1): ggml's "normal" mode (llama; its converter permutes Q/K to suit).
    case normal
    /// Halves (i, i + d/2): ggml's NEOX mode (qwen2, qwen3, gemma3).
    case neox
}

/// The activation used inside the gated feed-forward block.
public enum FeedForwardActivation: Sendable {
    case silu   // SwiGLU
    case gelu   // GeGLU with the tanh approximation
}

/// Hyperparameters of a decoder-only transformer, read from GGUF metadata.
public struct ModelConfiguration: Sendable {
    public var architecture: String
    public var name: String
    public var layerCount: Int
    public var embeddingLength: Int
    public var feedForwardLength: Int
    public var headCount: Int
    public var kvHeadCount: Int
    /// Per-head dimension of queries and keys (may differ from embeddingLength / headCount).
    public var headDim: Int
    public var valueHeadDim: Int
    public var trainedContextLength: Int
    public var normEpsilon: Float
    public var ropeBase: Float
    /// Rope base for sliding-window layers (Gemma 3 uses 10,000 locally).
    public var ropeBaseSlidingWindow: Float
    public var ropeDimensions: Int
    public var ropeStyle: RopeStyle
    public var activation: FeedForwardActivation
    /// Multiply token embeddings by sqrt(embeddingLength) (Gemma).
    public var scalesEmbedding: Bool
    /// Gemma 3 style extra norms after attention and after the feed-forward block.
    public var hasPostNorms: Bool
    /// Per-head RMS norm on queries and keys (Qwen3, Gemma 3).
    public var hasQKNorm: Bool
    /// Sliding-window size for local layers (0 = none).
    public var slidingWindow: Int
    /// Layer `i` uses the sliding window when `slidingWindowPattern > 0 && i % pattern < pattern - 1`.
    public var slidingWindowPattern: Int
    public var attentionScale: Float

    /// Whether layer `index` attends only within the sliding window.
    public func isSlidingWindowLayer(_ index: Int) -> Bool {
        slidingWindow > 0 && slidingWindowPattern > 0 && index % slidingWindowPattern < slidingWindowPattern - 1
    }

    package var queryWidth: Int { headCount * headDim }
    package var keyWidth: Int { kvHeadCount * headDim }
    package var valueWidth: Int { kvHeadCount * valueHeadDim }

    /// Reads the fields every architecture shares from `<arch>.*` keys.
    init(gguf: GGUFFile, architecture arch: String, ropeStyle: RopeStyle) throws(GGUFError) {
        func key(_ k: String) -> String { "\(arch).\(k)" }
        architecture = arch
        name = gguf.string("general.name") ?? arch
        layerCount = try gguf.requireInt(key("block_count"))
        embeddingLength = try gguf.requireInt(key("embedding_length"))
        feedForwardLength = try gguf.requireInt(key("feed_forward_length"))
        headCount = try gguf.requireInt(key("attention.head_count"))
        kvHeadCount = gguf.int(key("attention.head_count_kv")) ?? headCount
        headDim = gguf.int(key("attention.key_length")) ?? (embeddingLength / max(headCount, 1))
        valueHeadDim = gguf.int(key("attention.value_length")) ?? headDim
        trainedContextLength = gguf.int(key("context_length")) ?? 2048
        normEpsilon = gguf.float(key("attention.layer_norm_rms_epsilon")) ?? 1e-6
        ropeBase = gguf.float(key("rope.freq_base")) ?? 10_000
        ropeBaseSlidingWindow = ropeBase
        ropeDimensions = gguf.int(key("rope.dimension_count")) ?? headDim
        self.ropeStyle = ropeStyle
        activation = .silu
        scalesEmbedding = false
        hasPostNorms = false
        hasQKNorm = false
        slidingWindow = 0
        slidingWindowPattern = 0
        attentionScale = 1 / Float(headDim).squareRoot()
    }

    func validate() throws(EngineError) {
        guard layerCount > 0, embeddingLength > 0, headCount > 0, kvHeadCount > 0, headDim > 0,
              headCount % kvHeadCount == 0, ropeDimensions <= headDim, ropeDimensions % 2 == 0,
              feedForwardLength > 0 else {
            throw .invalidModel("inconsistent hyperparameters (layers \(layerCount), width \(embeddingLength), heads \(headCount)/\(kvHeadCount), head dim \(headDim))")
        }
    }
}
