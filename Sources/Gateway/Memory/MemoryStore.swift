import Foundation

/// Long-term memories for MCP clients: texts stored with tags and a preservation level, found again by meaning.
///
/// Each memory belongs to a scope (the SHA-256 of the API key that stored it): no call ever sees another scope's
/// memories. Texts are embedded with all-MiniLM-L6-v2 (384 dimensions, unit length). A search computes the
/// query's 384-bit random-hyperplane signature (`AngularSignature`, as the semantic cache), keeps the memories of
/// the scope whose signature is within the Hamming distance any memory at the threshold meets (except with
/// probability ~1e-9), then ranks those by exact cosine similarity. Memories past their lifetime
/// (`MemoryRetention`) are never returned and are deleted from memory and file. Rows are persisted in SQLite
/// (`MemoryDatabase`) and loaded at startup.
public actor MemoryStore {
    /// The lifetime of each preservation level.
    public nonisolated let retention: MemoryRetention
    private let embeddings: EmbeddingProvider
    private let database: MemoryDatabase
    private let hasher: AngularSignature
    private let dimension = EmbeddingProvider.dimension
    private let clock: @Sendable () -> Double
    private var entries: [MemoryEntry] = []
    private var scopes: [String] = []
    private var signatures: [UInt64] = []
    private var vectors: [Float] = []
    /// The earliest expiry of any row (`.infinity`: none expires); purging is skipped before it.
    private var nextExpiry = Double.infinity

    /// Opens (or creates) the SQLite file at `path` (`nil`: memories live in memory only) and loads its unexpired rows.
    public init(path: String?, retention: MemoryRetention = MemoryRetention(), embeddings: EmbeddingProvider,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(MemoryStoreError) {
        self.retention = retention
        self.embeddings = embeddings
        self.clock = clock
        hasher = AngularSignature(dimension: EmbeddingProvider.dimension)
        database = try MemoryDatabase(path: path)
        let rows = try database.loadAll(now: clock()).filter { $0.vector.count == EmbeddingProvider.dimension }
        var signatures: [UInt64] = []
        for row in rows { hasher.append(row.vector, to: &signatures) }
        entries = rows.map(\.entry)
        scopes = rows.map(\.scope)
        self.signatures = signatures
        vectors = rows.flatMap(\.vector)
        nextExpiry = rows.compactMap(\.entry.expires).min() ?? .infinity
    }

    /// Unexpired memories of every scope.
    public var count: Int {
        purgeExpired()
        return entries.count
    }

    /// Embeds and stores `text` in `scope`; returns the new memory. Tags are trimmed, empty ones dropped, duplicates
    /// removed (order kept).
    public func store(_ text: String, tags: [String] = [], preservation: MemoryPreservation = .permanent,
                      scope: MemoryScope) async throws -> MemoryEntry {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw MemoryStoreError.emptyText(field: "text") }
        let vector = try await embeddings.embed([text]).vectors[0]
        let now = clock()
        let entry = MemoryEntry(id: MemoryEntry.makeID(), text: text, tags: Self.normalized(tags), preservation: preservation,
                                created: now, expires: retention.seconds(for: preservation).map { now + $0 })
        let row = MemoryDatabase.Row(entry: entry, scope: scope.hash, vector: vector)
        try database.insert(row)
        append(row)
        return entry
    }

    /// The `topK` unexpired memories of `scope` most similar to `query` with cosine similarity ≥ `threshold`, best
    /// first; with `tags`, only memories carrying every one of them.
    public func search(_ query: String, scope: MemoryScope, topK: Int = 5, tags: [String] = [],
                       threshold: Float = 0) async throws -> [MemoryMatch] {
        let query = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw MemoryStoreError.emptyText(field: "query") }
        guard (1...1000).contains(topK) else { throw MemoryStoreError.outOfRange(field: "top_k", message: "must be in 1…1000 (got \(topK))") }
        guard threshold.isFinite, (-1...1).contains(threshold) else {
            throw MemoryStoreError.outOfRange(field: "threshold", message: "must be in -1…1 (got \(threshold))")
        }
        let vector = try await embeddings.embed([query]).vectors[0]
        purgeExpired()
        let required = Set(Self.normalized(tags))
        var signature: [UInt64] = []
        hasher.append(vector, to: &signature)
        let bound = threshold <= -1 ? hasher.bits : hasher.distanceBound(forCosine: threshold)
        var matches: [MemoryMatch] = []
        for i in entries.indices where scopes[i] == scope.hash && distance(signature, i) <= bound {
            guard required.isEmpty || required.isSubset(of: entries[i].tags) else { continue }
            let similarity = cosine(vector, i)
            if similarity >= threshold { matches.append(MemoryMatch(entry: entries[i], similarity: similarity)) }
        }
        matches.sort { $0.similarity > $1.similarity }
        return Array(matches.prefix(topK))
    }

    /// Every unexpired memory of `scope`, oldest first.
    public func entries(scope: MemoryScope) -> [MemoryEntry] {
        purgeExpired()
        return entries.indices.filter { scopes[$0] == scope.hash }.map { entries[$0] }
    }

    /// The unexpired memory `id` of `scope`; `MemoryStoreError.notFound` otherwise.
    public func entry(id: String, scope: MemoryScope) throws(MemoryStoreError) -> MemoryEntry {
        purgeExpired()
        guard let i = index(of: id, scope: scope) else { throw .notFound(id: id) }
        return entries[i]
    }

    /// Deletes memory `id` of `scope`; `MemoryStoreError.notFound` when `scope` has no such (unexpired) memory.
    public func delete(id: String, scope: MemoryScope) throws(MemoryStoreError) {
        purgeExpired()
        guard let i = index(of: id, scope: scope) else { throw .notFound(id: id) }
        try database.delete(ids: [id])
        remove(i)
    }

    /// Deletes every expired memory (memory and file); returns how many. Lookups call it before they read.
    @discardableResult
    public func purgeExpired() -> Int {
        let now = clock()
        guard now >= nextExpiry else { return 0 }
        var expired: [String] = []
        var i = entries.count - 1
        while i >= 0 {
            if entries[i].isExpired(at: now) {
                expired.append(entries[i].id)
                remove(i)
            }
            i -= 1
        }
        nextExpiry = entries.compactMap(\.expires).min() ?? .infinity
        try? database.delete(ids: expired)
        return expired.count
    }

    // MARK: - Rows

    static func normalized(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    private func index(of id: String, scope: MemoryScope) -> Int? {
        entries.indices.first { entries[$0].id == id && scopes[$0] == scope.hash }
    }

    private func append(_ row: MemoryDatabase.Row) {
        entries.append(row.entry)
        scopes.append(row.scope)
        hasher.append(row.vector, to: &signatures)
        vectors.append(contentsOf: row.vector)
        if let expires = row.entry.expires { nextExpiry = min(nextExpiry, expires) }
    }

    /// Removes row `i`, keeping the order of the others (listing is oldest first).
    private func remove(_ i: Int) {
        entries.remove(at: i)
        scopes.remove(at: i)
        signatures.removeSubrange(i * hasher.words ..< (i + 1) * hasher.words)
        vectors.removeSubrange(i * dimension ..< (i + 1) * dimension)
    }

    private func distance(_ query: [UInt64], _ i: Int) -> Int {
        var d = 0
        for w in 0..<hasher.words { d += (signatures[i * hasher.words + w] ^ query[w]).nonzeroBitCount }
        return d
    }

    private func cosine(_ query: [Float], _ i: Int) -> Float {
        vectors.withUnsafeBufferPointer { v in
            query.withUnsafeBufferPointer { q in VectorMath.dot(v.baseAddress! + i * dimension, q.baseAddress!, dimension) }
        }
    }
}
