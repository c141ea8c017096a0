/// Embeds an `ExpertQuery` into the router's input: `normalize(e(last) + previousUserWeight · e(previous) +
/// systemWeight · e(system))`, every `e` a unit-length MiniLM embedding.
///
/// The router is trained on user turns alone, so the last user turn dominates the vector and the context only
/// nudges it (a vague follow-up leans towards the expert of the conversation, a system prompt naming the product
/// towards its expert). Embeddings are cached by text (FIFO, `cacheCapacity` texts): a client's system prompt
/// repeats on every request and the previous user turn was the last one of the previous request, so a request
/// usually embeds only its new turn.
///
/// Cost: the embedding is the whole cost of a route. MiniLM (Q8_0, as the server's cache keys) takes about
/// 0.3 ms per token on this project's 2-core host, idle (`Benchmarks/ExpertRouterBench`): a 12-token prompt
/// 3.7 ms (p99 3.8), the example prompts (median 16 tokens) p50 5.2 ms / p99 8.6 ms, a prompt truncated to
/// ~75 tokens 24 ms; a second thread does not help at these sizes. The < 5 ms p99 budget therefore holds when
/// the server passes the vector it already computed for the semantic cache (`lastUserEmbedding`:
/// `CacheContext.query(messages)` embedded by the Q8_0 provider, valid when that text equals `query.lastUser`,
/// i.e. it needed no trimming or truncation): then a route costs microseconds.
public actor ExpertQueryEncoder {
    /// Embeds texts into unit-length vectors, e.g. `{ try await provider.embed($0).vectors }`.
    public typealias Embed = @Sendable ([String]) async throws -> [[Float]]

    /// Texts whose embeddings are kept.
    public static let cacheCapacity = 1_024
    /// Weight of the previous user turn's embedding (0.3: see docs/examples/experts/README.md for the sweep).
    public nonisolated let previousUserWeight: Float
    /// Weight of the system prompt's embedding (0.2).
    public nonisolated let systemWeight: Float
    private let embed: Embed
    private var cache: [String: [Float]] = [:]
    private var order: [String] = []
    private var orderStart = 0

    /// An encoder that embeds with `embed`.
    public init(previousUserWeight: Float = 0.3, systemWeight: Float = 0.2, embed: @escaping Embed) {
        self.previousUserWeight = previousUserWeight
        self.systemWeight = systemWeight
        self.embed = embed
    }

    /// Uses `provider` (the server's Q8_0 MiniLM, as its semantic-cache keys).
    public init(provider: EmbeddingProvider, previousUserWeight: Float = 0.3, systemWeight: Float = 0.2) {
        self.init(previousUserWeight: previousUserWeight, systemWeight: systemWeight) { try await provider.embed($0).vectors }
    }

    /// The router input for `query`. `lastUserEmbedding`, when given, must be the embedding of `query.lastUser`.
    public func embedding(for query: ExpertQuery, lastUserEmbedding: [Float]? = nil) async throws -> [Float] {
        // Context parts with a zero weight are not embedded at all.
        let previous = previousUserWeight != 0 ? query.previousUser : nil
        let system = systemWeight != 0 ? query.system : nil
        var found: [String: [Float]] = [:]
        if let lastUserEmbedding { found[query.lastUser] = lastUserEmbedding }
        for text in [previous, system].compactMap({ $0 }) { found[text] = cache[text] }
        var missing = found[query.lastUser] == nil ? [query.lastUser] : []
        missing += Set([previous, system].compactMap { $0 }).filter { found[$0] == nil && $0 != query.lastUser }.sorted()
        if !missing.isEmpty {
            let fresh = try await embed(missing)
            guard fresh.count == missing.count else { throw ExpertRouterError.embeddingFailed("\(fresh.count) vectors for \(missing.count) texts") }
            for (text, vector) in zip(missing, fresh) { found[text] = vector }
        }
        // The last user turn is remembered too: it is the next request's previous user turn.
        for text in [query.lastUser, previous, system].compactMap({ $0 }) { remember(text, found[text]!) }
        return Self.combine(last: found[query.lastUser]!, previous: previous.flatMap { found[$0] }, system: system.flatMap { found[$0] },
                            previousUserWeight: previousUserWeight, systemWeight: systemWeight)
    }

    /// `normalize(last + previousUserWeight · previous + systemWeight · system)`.
    public static func combine(last: [Float], previous: [Float]?, system: [Float]?, previousUserWeight: Float, systemWeight: Float) -> [Float] {
        var v = last
        for (part, weight) in [(previous, previousUserWeight), (system, systemWeight)] {
            guard let part, weight != 0 else { continue }
            precondition(part.count == v.count, "context embedding has \(part.count) values, expected \(v.count)")
            for i in v.indices { v[i] += weight * part[i] }
        }
        return VectorMath.normalized(v)
    }

    private func remember(_ text: String, _ vector: [Float]) {
        guard cache[text] == nil else { return }
        cache[text] = vector
        order.append(text)
        if order.count - orderStart > Self.cacheCapacity {
            cache[order[orderStart]] = nil
            orderStart += 1
            if orderStart > Self.cacheCapacity {
                order.removeFirst(orderStart)
                orderStart = 0
            }
        }
    }
}
