/// Everything that shapes one generation besides the prompt.
public struct GenerationOptions: Sendable {
    public var maxTokens: Int = 128
    public var sampling: SamplingParameters = SamplingParameters()
    /// Generation ends before any of these strings; the stop string itself is not returned.
    public var stop: [String] = []
    /// Return this many most-likely alternatives (with log-probabilities) for every step.
    public var topLogprobs: Int = 0
    /// Keep going past end-of-generation tokens (benchmarks).
    public var ignoreEndOfGeneration = false
    /// LoRA adapters applied to this sequence (none: the base model).
    public var adapters: AdapterMix = .none
    /// Constrained decoding: the output must be a document valid against this constraint's grammar.
    public var constraint: OutputConstraint?

    public init() {}

    public func validate() throws(EngineError) {
        try sampling.validate()
        guard maxTokens >= 0 else { throw .invalidArgument("max_tokens must be ≥ 0") }
        guard topLogprobs >= 0, topLogprobs <= 20 else { throw .invalidArgument("top_logprobs must be in 0...20") }
        guard stop.count <= 16, !stop.contains("") else { throw .invalidArgument("stop must hold at most 16 non-empty strings") }
    }
}

/// Why a generation ended.
public enum FinishReason: String, Sendable {
    /// An end-of-generation token or a stop string.
    case stop
    /// `maxTokens` or the context was reached.
    case length
    /// The consumer stopped listening.
    case cancelled
}

/// One generated token.
public struct GeneratedToken: Sendable {
    public let id: Int32
    /// Text this token completes; may be empty while a multi-byte character or a possible stop
    /// string is still being held back.
    public let text: String
    /// The chosen token's log-probability (softmax of the raw logits).
    public let logprob: Float
    /// The most likely alternatives when `topLogprobs` > 0.
    public let top: [TokenLogprob]
}

/// A token with its natural-log probability.
public struct TokenLogprob: Sendable, Equatable {
    public let id: Int32
    public let logprob: Float
}

/// Wall-clock timings of a generation.
public struct GenerationTimings: Sendable {
    public var promptTokens = 0
    /// Prompt tokens whose keys and values came from the prefix cache (not computed again).
    public var cachedPromptTokens = 0
    public var promptSeconds: Double = 0
    public var generatedTokens = 0
    public var generationSeconds: Double = 0
    /// Speculative decoding: tokens the draft model proposed, and how many of them the model kept.
    public var draftProposed = 0
    public var draftAccepted = 0

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var generationTokensPerSecond: Double { generationSeconds > 0 ? Double(generatedTokens) / generationSeconds : 0 }
}

/// The complete outcome of a generation.
public struct GenerationResult: Sendable {
    public let promptIDs: [Int32]
    public let ids: [Int32]
    public let text: String
    public let tokens: [GeneratedToken]
    public let finishReason: FinishReason
    public let timings: GenerationTimings
}
