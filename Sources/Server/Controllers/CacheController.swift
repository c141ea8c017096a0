import Hummingbird

/// `GET /v1/cache/stats` and `DELETE /v1/cache`.
struct CacheController: Sendable {
    let state: ServerState

    struct Stats: Encodable {
        let enabled: Bool
        let entries: Int
        let hits: Int
        let misses: Int
        let hitRate: Double
        let meanSimilarity: Double?
        let memoryBytes: Int
        let threshold: Float
        /// Why the cache turned itself off, when it did.
        var disabled: String? = nil

        enum CodingKeys: String, CodingKey {
            case enabled, entries, hits, misses, threshold, disabled
            case hitRate = "hit_rate", meanSimilarity = "mean_similarity", memoryBytes = "memory_bytes"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(enabled, forKey: .enabled)
            try c.encode(entries, forKey: .entries)
            try c.encode(hits, forKey: .hits)
            try c.encode(misses, forKey: .misses)
            try c.encode(hitRate, forKey: .hitRate)
            try c.encode(meanSimilarity, forKey: .meanSimilarity)
            try c.encode(memoryBytes, forKey: .memoryBytes)
            try c.encode(threshold, forKey: .threshold)
            try c.encodeIfPresent(disabled, forKey: .disabled)
        }
    }

    func stats(_ request: Request, context: some RequestContext) async throws -> Response {
        ModelsController.json(await statistics())
    }

    /// What `GET /v1/cache/stats` reports (also the MCP server's `cache_stats` tool).
    func statistics() async -> Stats {
        guard let cache = state.cache else {
            return Stats(enabled: false, entries: 0, hits: 0, misses: 0, hitRate: 0, meanSimilarity: nil,
                         memoryBytes: 0, threshold: state.configuration.cache.similarityThreshold)
        }
        let s = await cache.statistics()
        let disabled = await cache.disabledReason
        return Stats(enabled: disabled == nil, entries: s.entries, hits: s.hits, misses: s.misses, hitRate: s.hitRate,
                     meanSimilarity: s.meanHitSimilarity, memoryBytes: s.memoryBytes,
                     threshold: cache.configuration.similarityThreshold, disabled: disabled)
    }

    struct Cleared: Encodable { let deleted: Int }

    func clear(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let cache = state.cache else { return ModelsController.json(Cleared(deleted: 0)) }
        let count = await cache.count
        await cache.clear()
        return ModelsController.json(Cleared(deleted: count))
    }
}
