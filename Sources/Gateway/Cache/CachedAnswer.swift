/// An answer stored in the semantic cache.
public struct CachedAnswer: Sendable, Equatable {
    /// The assistant's text.
    public var text: String
    /// The model that produced it.
    public var model: String
    public var tier: Int
    public var finishReason: String
    public var promptTokens: Int
    public var completionTokens: Int

    public init(text: String, model: String, tier: Int, finishReason: String, promptTokens: Int, completionTokens: Int) {
        self.text = text
        self.model = model
        self.tier = tier
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// A cache hit: the answer and how similar the stored question was.
public struct CacheHit: Sendable {
    public let answer: CachedAnswer
    public let similarity: Float
}

/// `GET /v1/cache/stats`.
public struct CacheStatistics: Sendable, Equatable {
    public var entries: Int
    public var hits: Int
    public var misses: Int
    public var meanHitSimilarity: Double?
    /// Bytes the entries take in memory (vectors and answers).
    public var memoryBytes: Int

    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}
