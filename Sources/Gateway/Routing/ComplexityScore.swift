/// How demanding a request looks, 0 (trivial) … 1 (hard), with the features it was computed from.
public struct ComplexityScore: Sendable, Equatable {
    /// Weighted mean of the features.
    public var score: Double
    /// Prompt length, 0…1 (saturates at `lengthSaturation` characters).
    public var length: Double
    /// Conversation depth, 0…1 (earlier turns).
    public var depth: Double
    /// Reasoning and analysis keywords, 0…1.
    public var reasoning: Double
    /// Code in or asked for, 0 or 1 (0.5 for a hint only).
    public var code: Double
    /// Mathematics in or asked for, 0…1.
    public var math: Double
    /// Requested output length, 0…1.
    public var output: Double
}

/// The request features routing looks at.
public struct RoutingRequest: Sendable {
    /// Conversation turns in order: role (`system`, `user`, `assistant`, …) and text.
    public var messages: [(role: String, text: String)]
    /// `max_tokens` / `max_completion_tokens` when given.
    public var maxTokens: Int?
    /// Device profile from the request (`X-GroupQwen-Device` header or `device_profile` field).
    public var profile: String?
    /// The MiniLM embedding of the last user turn (`LearnedRouter` input); nil leaves the choice to the keyword score.
    public var embedding: [Float]?
    /// The language of the last user turn (ISO code) when it was identified with confidence; nil: unknown, and
    /// routing ignores the models' `languages`.
    public var language: String?

    public init(messages: [(role: String, text: String)], maxTokens: Int? = nil, profile: String? = nil, embedding: [Float]? = nil) {
        self.messages = messages
        self.maxTokens = maxTokens
        self.profile = profile
        self.embedding = embedding
    }
}
