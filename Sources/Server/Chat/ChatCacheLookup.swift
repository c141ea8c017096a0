import Gateway

/// What the semantic cache said about one request: not consulted, a stored answer, or a miss that tells
/// the recorder where to store the answer to come.
enum ChatCacheLookup: Sendable {
    /// Where a finished answer is stored after a miss: the request's key and its query's vector.
    struct Slot: Sendable {
        let key: ChatCacheKey
        let vector: [Float]
    }

    case bypass
    case hit(CacheHit)
    case miss(Slot)

    /// Looks `key` up (embedding its query unless the key carries the vector); without a key (or without a cache)
    /// the cache is bypassed.
    init(_ key: ChatCacheKey?, state: ServerState) async throws {
        guard let cache = state.cache, await cache.isEnabled, let key else {
            self = .bypass
            return
        }
        let vector: [Float]
        if let known = key.vector {
            vector = known
        } else {
            vector = try await state.cacheKeys.embed([key.query]).vectors[0]
        }
        if let hit = await cache.lookup(vector, context: key.context) {
            self = .hit(hit)
        } else {
            self = .miss(Slot(key: key, vector: vector))
        }
    }

    /// The decision shown in `X-GroupQwen-Cache`, the `groupqwen` object and the metrics.
    var decision: CacheDecision {
        switch self {
        case .bypass: return .bypass
        case let .hit(hit): return .hit(similarity: hit.similarity)
        case .miss: return .miss
        }
    }

    /// Where to store a finished answer (misses only).
    var slot: Slot? {
        if case let .miss(slot) = self { return slot }
        return nil
    }
}
