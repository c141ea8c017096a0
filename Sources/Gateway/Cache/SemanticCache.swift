import Foundation

/// Reuses answers to questions that mean the same in the same context.
///
/// Each entry keeps the embedding of its last user turn as Float16 for the exact cosine, and a 384-bit
/// random-hyperplane signature (`AngularSignature`, 48 bytes). A lookup scans the signatures with XOR and
/// popcount on one thread (4.8 MB for 100,000 entries: no thread pool, no wake-up latency) and computes the
/// exact cosine only for entries whose Hamming distance is within the bound that any entry at the
/// similarity threshold meets except with probability ~1e-9. A lookup only accepts entries with the same
/// context key (tenant, system prompt, earlier turns, target model, sampling settings) that have not
/// expired. Entries are persisted in SQLite and evicted least-recently-used beyond `maxEntries`.
public actor SemanticCache {
    public nonisolated let configuration: SemanticCacheConfiguration
    public nonisolated let dimension: Int
    private let store: SemanticCacheStore?
    private let hasher: AngularSignature
    private let distanceBound: Int
    private var ids: [Int64] = []
    private var contexts: [String] = []
    private var expires: [Double] = []
    private var lastUsed: [Double] = []
    private var answers: [CachedAnswer] = []
    private var signatures: [UInt64] = []
    private var exact: [Float16] = []
    private var nextMemoryID: Int64 = -1
    private var hits = 0, misses = 0
    private var similaritySum = 0.0
    private let clock: @Sendable () -> Double
    /// Why the cache turned itself off (its database could not be written); nil while it works.
    public private(set) var disabledReason: String?

    /// False once the cache has turned itself off: lookups miss and inserts are dropped.
    public var isEnabled: Bool { disabledReason == nil }

    /// Opens (or creates) the SQLite file and loads its unexpired entries.
    public init(configuration: SemanticCacheConfiguration, dimension: Int = 384,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) async throws {
        self.configuration = configuration
        self.dimension = dimension
        self.clock = clock
        hasher = AngularSignature(dimension: dimension)
        distanceBound = hasher.distanceBound(forCosine: configuration.similarityThreshold)
        store = try configuration.path.map { try SemanticCacheStore(path: $0) }
        for row in try store?.loadAll(now: clock()) ?? [] where row.vector.count == dimension {
            append(id: row.id, context: row.context, vector: row.vector, answer: row.answer, expires: row.expires, lastUsed: row.lastUsed)
        }
    }

    public var count: Int { ids.count }

    /// The best unexpired entry of `context` whose similarity to `vector` (unit length) reaches the
    /// threshold, or nil (a miss).
    public func lookup(_ vector: [Float], context: CacheContext) -> CacheHit? {
        guard disabledReason == nil else { return nil }
        let now = clock()
        var best: (index: Int, similarity: Float)?
        if !ids.isEmpty {
            var query: [UInt64] = []
            query.reserveCapacity(hasher.words)
            hasher.append(vector, to: &query)
            let key = context.key, threshold = configuration.similarityThreshold
            forEachCandidate(query) { i in
                guard contexts[i] == key, expires[i] > now else { return }
                let s = exactSimilarity(vector, i)
                if s >= threshold, s > (best?.similarity ?? -1) { best = (i, s) }
            }
        }
        guard let best else {
            misses += 1
            return nil
        }
        hits += 1
        similaritySum += Double(best.similarity)
        lastUsed[best.index] = now
        if ids[best.index] >= 0 { try? store?.touch(id: ids[best.index], now: now) }
        return CacheHit(answer: answers[best.index], similarity: best.similarity)
    }

    /// Stores an answer (TTL shorter when `query` is time-sensitive), evicting the least recently used
    /// entries beyond `maxEntries`.
    ///
    /// When the database cannot be written (disk full, read-only, removed), the cache turns itself off rather
    /// than answer from a memory that no longer matches its file: the return value is then the reason, once, for
    /// the caller's one log line; nil otherwise.
    @discardableResult
    public func insert(_ vector: [Float], query: String, context: CacheContext, answer: CachedAnswer) -> String? {
        guard disabledReason == nil, vector.count == dimension else { return nil }
        let now = clock()
        let ttl = CacheContext.isTimeSensitive(query) ? configuration.timeSensitiveTTLSeconds : configuration.ttlSeconds
        let id: Int64
        if let store {
            do {
                id = try store.insert(context: context.key, vector: vector, answer: answer, now: now, expires: now + ttl)
            } catch {
                let reason = "its database could not be written (\(error))"
                disabledReason = reason
                ids.removeAll(); contexts.removeAll(); expires.removeAll(); lastUsed.removeAll(); answers.removeAll()
                signatures.removeAll(); exact.removeAll()
                return reason
            }
        } else {
            id = nextMemoryID
            nextMemoryID -= 1
        }
        append(id: id, context: context.key, vector: vector, answer: answer, expires: now + ttl, lastUsed: now)
        var evicted: [Int64] = []
        while ids.count > max(1, configuration.maxEntries) {
            let victim = lastUsed.indices.min { lastUsed[$0] < lastUsed[$1] }!
            evicted.append(ids[victim])
            remove(victim)
        }
        try? store?.delete(ids: evicted.filter { $0 >= 0 })
        return nil
    }

    /// Empties the cache (memory and file).
    public func clear() {
        ids.removeAll(); contexts.removeAll(); expires.removeAll(); lastUsed.removeAll(); answers.removeAll()
        signatures.removeAll(); exact.removeAll()
        hits = 0; misses = 0; similaritySum = 0
        try? store?.deleteAll()
    }

    public func statistics() -> CacheStatistics {
        let answerBytes = answers.reduce(0) { $0 + $1.text.utf8.count + $1.model.utf8.count + 48 }
        return CacheStatistics(entries: ids.count, hits: hits, misses: misses,
                               meanHitSimilarity: hits > 0 ? similaritySum / Double(hits) : nil,
                               memoryBytes: signatures.count * 8 + exact.count * 2 + answerBytes + ids.count * (8 * 3 + 64 + 4))
    }

    // MARK: - Rows

    private func append(id: Int64, context: String, vector: [Float], answer: CachedAnswer, expires: Double, lastUsed: Double) {
        ids.append(id)
        contexts.append(context)
        self.expires.append(expires)
        self.lastUsed.append(lastUsed)
        answers.append(answer)
        hasher.append(vector, to: &signatures)
        exact.append(contentsOf: vector.map { Float16($0) })
    }

    /// Swap-remove: the last row takes the place of row `i`.
    private func remove(_ i: Int) {
        let last = ids.count - 1
        if i != last {
            ids[i] = ids[last]; contexts[i] = contexts[last]; expires[i] = expires[last]; lastUsed[i] = lastUsed[last]
            answers[i] = answers[last]
            let w = hasher.words
            for b in 0..<w { signatures[i * w + b] = signatures[last * w + b] }
            for d in 0..<dimension { exact[i * dimension + d] = exact[last * dimension + d] }
        }
        ids.removeLast(); contexts.removeLast(); expires.removeLast(); lastUsed.removeLast(); answers.removeLast()
        signatures.removeLast(hasher.words); exact.removeLast(dimension)
    }

    /// Calls `body` with every row whose signature is within `distanceBound` of `query`.
    private func forEachCandidate(_ query: [UInt64], _ body: (Int) -> Void) {
        let bound = distanceBound, w = hasher.words
        signatures.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { q in
                if w == 6 {   // 384 bits, the default: unrolled
                    let q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5]
                    for i in 0..<ids.count {
                        let r = rows.baseAddress! + i * 6
                        let d = (r[0] ^ q0).nonzeroBitCount + (r[1] ^ q1).nonzeroBitCount + (r[2] ^ q2).nonzeroBitCount
                            + (r[3] ^ q3).nonzeroBitCount + (r[4] ^ q4).nonzeroBitCount + (r[5] ^ q5).nonzeroBitCount
                        if d <= bound { body(i) }
                    }
                } else {
                    for i in 0..<ids.count {
                        var d = 0
                        for j in 0..<w { d += (rows[i * w + j] ^ q[j]).nonzeroBitCount }
                        if d <= bound { body(i) }
                    }
                }
            }
        }
    }

    private func exactSimilarity(_ v: [Float], _ i: Int) -> Float {
        exact.withUnsafeBufferPointer { e in
            v.withUnsafeBufferPointer { q in
                let row = e.baseAddress! + i * dimension
                var acc = SIMD8<Float>()
                var d = 0
                while d + 8 <= dimension {
                    let h = UnsafeRawPointer(row + d).loadUnaligned(as: SIMD8<Float16>.self)
                    acc.addProduct(SIMD8<Float>(h), SIMD8(UnsafeBufferPointer(start: q.baseAddress! + d, count: 8)))
                    d += 8
                }
                var dot = acc.sum()
                while d < dimension { dot += q[d] * Float(row[d]); d += 1 }
                return dot
            }
        }
    }
}
