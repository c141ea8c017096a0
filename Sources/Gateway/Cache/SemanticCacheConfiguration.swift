/// Settings of the semantic response cache (the server's `cache:` YAML section).
public struct SemanticCacheConfiguration: Sendable, Equatable {
    /// Off: every request is answered by a model (`X-GroupQwen-Cache: bypass`).
    public var enabled = true
    /// SQLite file holding the entries; `nil` keeps them in memory only (lost on restart). The server's
    /// YAML default is `$GROUPQWEN_HOME/semantic-cache.sqlite`; `path: ":memory:"` there means `nil`.
    public var path: String?
    /// Cosine similarity of the last user turns at or above which an answer is reused.
    public var similarityThreshold: Float = 0.9
    /// Lifetime of an entry, seconds.
    public var ttlSeconds: Double = 86_400
    /// Lifetime of answers to time-sensitive questions ("today", "latest", "weather", …), seconds.
    public var timeSensitiveTTLSeconds: Double = 600
    /// Entries kept; beyond it the least recently used one is evicted.
    public var maxEntries = 100_000

    public init() {}
}
