/// What a scheduler's prefix cache saved and holds.
public struct PrefixCacheStatistics: Sendable, Equatable {
    /// Requests that looked for a shared prefix, and those that found one.
    public var lookups = 0, hits = 0
    /// Prompt tokens taken from the cache, and prompt tokens computed.
    public var cachedTokens = 0, computedTokens = 0
    /// Bytes and sequences kept now.
    public var bytes = 0, entries = 0

    public init() {}
}
