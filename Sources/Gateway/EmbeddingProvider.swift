import Embeddings
import Foundation
import ModelStore

/// The sentence-embedding model (all-MiniLM-L6-v2), loaded on first use — fetched first when it is not in
/// the model store and fetching is allowed — and kept for the life of the process (90 MB, memory-mapped).
/// Concurrent first callers share one load.
public actor EmbeddingProvider {
    /// The id clients send as `model` and `/v1/models` lists.
    public static let modelID = "minilm-l6-v2"
    /// The length of its unit vectors.
    public static let dimension = 384

    private let store: ModelStore
    private let fetchMissing: Bool
    private let threads: Int
    /// How the encoder holds its weights: `.f16` for served embeddings, `.q8_0` for cache keys.
    public nonisolated let precision: EmbeddingPrecision
    private let embedderLoad = LoadOnce<SentenceEmbedder>()

    public init(store: ModelStore = ModelStore(), fetchMissing: Bool = true, threads: Int = 2, precision: EmbeddingPrecision = .f16) {
        self.precision = precision
        self.store = store
        self.fetchMissing = fetchMissing
        self.threads = threads
    }

    /// Whether the model is in memory.
    public var isLoaded: Bool { get async { await embedderLoad.current != nil } }

    /// The embedder, loading it first if needed.
    public func embedder() async throws -> SentenceEmbedder {
        try await embedderLoad.value { [store, fetchMissing, threads, precision] () throws -> SentenceEmbedder in
            var file = store.localPath(for: Self.modelID)
            if file == nil {
                guard fetchMissing else {
                    throw GatewayError.loadFailed(model: Self.modelID, reason: "not in the model store; run `groupqwen models fetch \(Self.modelID)`")
                }
                file = try await store.fetch(Self.modelID) { _ in }
            }
            let directory = file!.deletingLastPathComponent()
            return try await Task.detached(priority: .userInitiated) {
                do {
                    return try SentenceEmbedder(directory: directory, threads: threads, precision: precision)
                } catch {
                    throw GatewayError.loadFailed(model: Self.modelID, reason: "\(error)")
                }
            }.value
        }
    }

    /// Embeds `texts` off the caller's executor (the encoder is CPU-bound).
    public func embed(_ texts: [String]) async throws -> (vectors: [[Float]], tokens: Int) {
        let embedder = try await embedder()
        return await Task.detached(priority: .userInitiated) {
            (embedder.embed(texts), texts.reduce(0) { $0 + embedder.tokenize($1).count })
        }.value
    }
}
