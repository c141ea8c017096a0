import Foundation
import Gateway

/// What every controller shares: the configuration, the model pool, and whether the server is
/// still starting (preloading) or already stopping.
final class ServerState: Sendable {
    let configuration: ServerConfiguration
    let pool: ModelPool
    /// The sentence-embedding model (`/v1/embeddings`), loaded on first use.
    let embeddings: EmbeddingProvider
    /// The same model with 8-bit weights, about 4× faster, on one thread (a short query needs ~2 ms; one
    /// thread never waits for a sibling that the generating models keep busy): the semantic cache's query
    /// vectors, never served.
    let cacheKeys: EmbeddingProvider
    /// Language identification (`/v1/detect-language`, routing by the models' `languages`), loaded on first use.
    let languages: LanguageProvider
    /// Reuses answers to questions asked before in the same context; nil when disabled.
    let cache: SemanticCache?
    /// The LoRA adapters served, each also a model `base:adapter` (configured ones loaded before startup,
    /// others added and removed through `/v1/adapters`).
    let adapters: AdapterRegistry
    /// Uploaded files and fine-tuning jobs (`/v1/files`, `/v1/fine_tuning/jobs`); nil when disabled.
    let fineTuning: FineTuningJobs?
    /// The mixture of LoRA experts (`model: "experts"`, `/v1/experts`); nil when disabled (`experts.enabled: false`).
    let experts: ExpertService?
    /// Prometheus counters, histograms and gauges (`GET /metrics`).
    let metrics = ServerMetrics()
    /// The connection cap, the first head's deadline and the lingering after early answers (`limits:`).
    let connections: ConnectionGuard
    /// Compiled `response_format` schemas.
    let grammars = GrammarCache()
    /// Chooses models for `model: "auto"` requests.
    let router: ModelRouter
    /// Backends of the models served by remote OpenAI-compatible servers, by model id.
    let remotes: [String: RemoteBackend]
    /// Unix time the server started (the `created` of `/v1/models` entries).
    let startedAt: Int
    /// Identifies this server build in `system_fingerprint`.
    let fingerprint: String
    private let phase: LockedValue<Phase>

    enum Phase: Sendable { case starting, ready, stopping }

    /// `expertRegistry`: where the experts' versions and deployments are kept; nil keeps them in memory.
    init(configuration: ServerConfiguration, pool: ModelPool, starting: Bool, cache: SemanticCache? = nil,
         adapters: AdapterRegistry = AdapterRegistry(), fineTuning: FineTuningJobs? = nil, expertRegistry: ExpertRegistry? = nil) {
        self.configuration = configuration
        self.pool = pool
        self.cache = cache
        self.adapters = adapters
        self.fineTuning = fineTuning
        self.connections = ConnectionGuard(maxConnections: configuration.limits.maxConnections,
                                           headerTimeout: .nanoseconds(Int64(configuration.limits.headerTimeoutSeconds * 1e9)))
        self.embeddings = EmbeddingProvider(fetchMissing: configuration.fetchMissing, threads: configuration.threads ?? 2)
        self.languages = LanguageProvider(fetchMissing: configuration.fetchMissing)
        self.cacheKeys = EmbeddingProvider(fetchMissing: configuration.fetchMissing, threads: 1, precision: .q8_0)
        self.router = ModelRouter(configuration: configuration.routing, models: configuration.models)
        if configuration.experts.enabled, let registry = expertRegistry ?? (try? ExpertRegistry(path: nil)) {
            self.experts = ExpertService(registry: registry, modelID: configuration.experts.modelID, models: configuration.models,
                                         pool: pool, embeddings: cacheKeys)
        } else {
            self.experts = nil
        }
        var remotes: [String: RemoteBackend] = [:]
        for served in configuration.models {
            if let endpoint = served.remote { remotes[served.id] = RemoteBackend(modelID: served.id, endpoint: endpoint) }
        }
        self.remotes = remotes
        self.startedAt = Int(Date().timeIntervalSince1970)
        self.fingerprint = "fp_groupqwen_\(String(startedAt, radix: 16))"
        self.phase = LockedValue(starting ? .starting : .ready)
    }

    var currentPhase: Phase { phase.value }

    func markReady() { phase.update { if $0 == .starting { $0 = .ready } } }
    func markStopping() { phase.update { $0 = .stopping } }
    func markStarting() { phase.update { $0 = .starting } }

    /// Throws 503 while startup preloading runs or after shutdown began.
    func requireServing() async throws {
        switch phase.value {
        case .starting:
            throw APIError.unavailable("the server is still loading its models; retry shortly", code: "model_loading", retryAfter: 5)
        case .stopping:
            throw APIError.unavailable("the server is shutting down", code: "shutting_down", retryAfter: 5)
        case .ready:
            guard await pool.isReady else {
                throw APIError.unavailable("the server is still loading its models; retry shortly", code: "model_loading", retryAfter: 5)
            }
        }
    }

    /// The expert service; 404 `experts_disabled` when the server runs without it (`experts.enabled: false`).
    func requireExperts() throws(APIError) -> ExpertService {
        guard let experts else {
            throw APIError(status: .notFound, message: "expert serving is disabled on this server (experts.enabled: false)",
                           type: "invalid_request_error", code: "experts_disabled")
        }
        return experts
    }

    /// The fine-tuning jobs; `FineTuningError.disabled` (404) when the server runs without them
    /// (`training.enabled: false`).
    func requireFineTuning() throws(FineTuningError) -> FineTuningJobs {
        guard let fineTuning else { throw .disabled }
        return fineTuning
    }

    /// A fresh response id with the given prefix (`chatcmpl`, `cmpl`).
    func makeID(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
    }

    var now: Int { Int(Date().timeIntervalSince1970) }
}

/// A value behind a lock.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
