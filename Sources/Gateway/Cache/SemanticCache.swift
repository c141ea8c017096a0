import Foundation
import GGUF
import Kernels

/// Reuses answers to questions that mean the same in the same context.
///
/// Each entry keeps the embedding of its last user turn twice in memory: as Q8_0 rows (34 bytes per 32
/// values), scanned for every lookup with the engine's quantized matrix-vector kernel, and as Float16 for
/// the exact cosine of the best candidates. A lookup only accepts entries with the same context key (tenant,
/// system prompt, earlier turns, target model, sampling settings) that have not expired. Entries are
/// persisted in SQLite and evicted least-recently-used beyond `maxEntries`.
public actor SemanticCache {
    public nonisolated let configuration: SemanticCacheConfiguration
    public nonisolated let dimension: Int
    private let store: SemanticCacheStore?
    private let pool = ThreadPool(threadCount: 2)
    private let scratch = MatMulScratch()
    private var ids: [Int64] = []
    private var contexts: [String] = []
    private var expires: [Double] = []
    private var lastUsed: [Double] = []
    private var answers: [CachedAnswer] = []
    private var quantized: [UInt8] = []   // Q8_0 rows
    private var exact: [Float16] = []
    private var scores: [Float] = []
    private var nextMemoryID: Int64 = -1
    private var hits = 0, misses = 0
    private var similaritySum = 0.0
    private let clock: @Sendable () -> Double

    private var rowBytes: Int { dimension / 32 * 34 }

    /// Opens (or creates) the SQLite file and loads its unexpired entries.
    public init(configuration: SemanticCacheConfiguration, dimension: Int = 384,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) async throws {
        precondition(dimension % 32 == 0, "embedding dimension must be a multiple of 32")
        self.configuration = configuration
        self.dimension = dimension
        self.clock = clock
        store = try configuration.path.map { try SemanticCacheStore(path: $0) }
        for row in try store?.loadAll(now: clock()) ?? [] where row.vector.count == dimension {
            append(id: row.id, context: row.context, vector: row.vector, answer: row.answer, expires: row.expires, lastUsed: row.lastUsed)
        }
    }

    public var count: Int { ids.count }

    /// The best unexpired entry of `context` whose similarity to `vector` (unit length) reaches the
    /// threshold, or nil (a miss).
    public func lookup(_ vector: [Float], context: CacheContext) -> CacheHit? {
        let now = clock()
        var best: (index: Int, similarity: Float)?
        if !ids.isEmpty {
            scores.withUnsafeMutableBufferPointer { out in
                quantized.withUnsafeBytes { rows in
                    vector.withUnsafeBufferPointer { q in
                        let matrix = try! WeightMatrix(type: .q8_0, rows: ids.count, columns: dimension, data: rows.baseAddress!)
                        MatMul.multiply(matrix, input: q.baseAddress!, count: 1, output: out.baseAddress!, pool: pool, scratch: scratch)
                    }
                }
            }
            // Q8 scores are within ~0.01 of the exact cosine: rescore every candidate near the threshold exactly.
            let floor = configuration.similarityThreshold - 0.02
            for i in 0..<ids.count where scores[i] >= floor && contexts[i] == context.key && expires[i] > now {
                let s = exactSimilarity(vector, i)
                if s >= configuration.similarityThreshold, s > (best?.similarity ?? -1) { best = (i, s) }
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
    public func insert(_ vector: [Float], query: String, context: CacheContext, answer: CachedAnswer) {
        guard vector.count == dimension else { return }
        let now = clock()
        let ttl = CacheContext.isTimeSensitive(query) ? configuration.timeSensitiveTTLSeconds : configuration.ttlSeconds
        let id: Int64
        if let store, let stored = try? store.insert(context: context.key, vector: vector, answer: answer, now: now, expires: now + ttl) {
            id = stored
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
    }

    /// Empties the cache (memory and file).
    public func clear() {
        ids.removeAll(); contexts.removeAll(); expires.removeAll(); lastUsed.removeAll(); answers.removeAll()
        quantized.removeAll(); exact.removeAll(); scores.removeAll()
        hits = 0; misses = 0; similaritySum = 0
        try? store?.deleteAll()
    }

    public func statistics() -> CacheStatistics {
        let answerBytes = answers.reduce(0) { $0 + $1.text.utf8.count + $1.model.utf8.count + 48 }
        return CacheStatistics(entries: ids.count, hits: hits, misses: misses,
                               meanHitSimilarity: hits > 0 ? similaritySum / Double(hits) : nil,
                               memoryBytes: quantized.count + exact.count * 2 + answerBytes + ids.count * (8 * 3 + 64 + 4))
    }

    // MARK: - Rows

    private func append(id: Int64, context: String, vector: [Float], answer: CachedAnswer, expires: Double, lastUsed: Double) {
        ids.append(id)
        contexts.append(context)
        self.expires.append(expires)
        self.lastUsed.append(lastUsed)
        answers.append(answer)
        Self.appendQ8(vector, to: &quantized)
        exact.append(contentsOf: vector.map { Float16($0) })
        scores.append(0)
    }

    /// Swap-remove: the last row takes the place of row `i`.
    private func remove(_ i: Int) {
        let last = ids.count - 1
        if i != last {
            ids[i] = ids[last]; contexts[i] = contexts[last]; expires[i] = expires[last]; lastUsed[i] = lastUsed[last]
            answers[i] = answers[last]
            let rb = rowBytes
            for b in 0..<rb { quantized[i * rb + b] = quantized[last * rb + b] }
            for d in 0..<dimension { exact[i * dimension + d] = exact[last * dimension + d] }
        }
        ids.removeLast(); contexts.removeLast(); expires.removeLast(); lastUsed.removeLast(); answers.removeLast()
        quantized.removeLast(rowBytes); exact.removeLast(dimension); scores.removeLast()
    }

    private func exactSimilarity(_ v: [Float], _ i: Int) -> Float {
        var dot: Float = 0
        let base = i * dimension
        for d in 0..<dimension { dot += v[d] * Float(exact[base + d]) }
        return dot
    }

    /// Q8_0 blocks: f16 scale d = max|x|/127, then 32 signed bytes round(x/d).
    static func appendQ8(_ v: [Float], to out: inout [UInt8]) {
        for block in stride(from: 0, to: v.count, by: 32) {
            var amax: Float = 0
            for j in 0..<32 { amax = max(amax, abs(v[block + j])) }
            let d = amax / 127
            let inverse: Float = d > 0 ? 1 / d : 0
            let bits = Float16(d).bitPattern
            out.append(UInt8(bits & 0xFF))
            out.append(UInt8(bits >> 8))
            for j in 0..<32 { out.append(UInt8(bitPattern: Int8(max(-127, min(127, (v[block + j] * inverse).rounded()))))) }
        }
    }
}
