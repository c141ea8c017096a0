import Foundation
import Engine
import Gateway

/// Everything `groupqwen serve` needs: where to listen, which models to serve, limits and keys.
///
/// Loaded from YAML with `ServerConfiguration.load(path:)`; every key is optional and snake_case:
///
/// ```yaml
/// host: 127.0.0.1
/// port: 8080
/// keep_alive_seconds: 300      # negative: never unload idle models
/// memory_budget_mb: 2048
/// prefix_cache_mb: 256         # per loaded model: keys and values kept for prompts sharing a prefix (default 0: off)
/// threads: 4
/// api_keys: [secret-1]         # empty or absent: no authentication
/// ui: true                     # the web console at / (false: not served)
/// limits:
///   max_body_bytes: 1048576
///   max_queued_per_model: 32
///   max_tokens_default: 512
///   request_timeout: 120       # seconds
/// cache:                      # semantic cache: see SemanticCacheConfiguration
///   path: ~/.groupqwen/semantic-cache.sqlite   # ":memory:" keeps entries in memory only
///   similarity_threshold: 0.9
/// training:                   # /v1/files and /v1/fine_tuning/jobs: see FineTuningConfiguration
///   path: ~/.groupqwen/fine-tuning.sqlite   # also holds the expert registry
///   threads: 1
/// experts:                    # mixture of LoRA experts, /v1/experts: see ExpertsConfiguration
///   enabled: true
///   model_id: experts         # `model: "experts"` asks for expert routing
/// mcp:                        # the MCP server and its memories: see MCPConfiguration
///   memory_path: ~/.groupqwen/mcp-memory.sqlite
/// routing:                    # model "auto": see RoutingConfiguration
///   tier_thresholds: [0.2, 0.5]
///   min_confidence: 0.3
/// models:
///   - id: smollm2-135m
///     source: smollm2-135m     # known model id or path to a .gguf
///     context_length: 2048
///     tier: 0
///     labels: [chat, small]
///     max_concurrent: 8       # sequences decoded together
///     max_queued: 32           # waiting requests beyond those (default limits.max_queued_per_model)
///     draft: qwen2.5-coder-0.5b   # speculative decoding with this smaller model of the same tokenizer
///     draft_tokens: 3          # most tokens it proposes per round (1...3)
///     languages: [en]          # routing sends it only prompts detected in these (default: any; SmolLM2: en)
///     preload: true
///     adapters:                # LoRA adapters, each also served as the model `smollm2-135m:<id>`
///       - id: pirate
///         path: adapters/pirate.gguf   # GGUF adapter or PEFT folder; relative to this file
///         scale: 1.0           # default scale
///         tier: 1              # takes part in `auto` routing (absent: answers only when named)
///         labels: [style]
///         description: Talks like a pirate
///   - id: big                  # a remote OpenAI-compatible server (vLLM, llama.cpp, Ollama, GroupQwen)
///     url: http://gpu-box:8000/v1
///     remote_model: Qwen/Qwen2.5-7B-Instruct   # name sent upstream (default: the id)
///     api_key: sk-upstream     # optional bearer key
///     timeout: 120             # seconds
///     attempts: 3              # retries with backoff on connection errors, 429 and 5xx
///     tier: 3
/// ```
public struct ServerConfiguration: Sendable, Equatable {
    /// Interface to bind.
    public var host: String
    /// TCP port (0 picks a free one).
    public var port: Int
    /// The models clients can name in `model`.
    public var models: [ServedModel]
    /// Request size, queue, token and time limits.
    public var limits: ServerLimits
    /// Unload a model idle this long; `nil` keeps models loaded.
    public var keepAliveSeconds: Double?
    /// Upper bound on the memory loaded models may take, in MiB; `nil`: no limit.
    public var memoryBudgetMB: Int?
    /// Forward-pass threads per model; `nil`: all cores.
    public var threads: Int?
    /// Accepted bearer keys with their scopes and quotas; empty: no authentication.
    public var apiKeys: [APIKeyEntry]
    /// Fetch known models missing from the local store instead of failing.
    public var fetchMissing: Bool
    /// How `model: "auto"` requests pick a model (see `RoutingConfiguration`).
    public var routing: RoutingConfiguration
    /// The semantic response cache.
    public var cache: SemanticCacheConfiguration
    /// The Files and Fine-tuning APIs and their job runner.
    public var training: FineTuningConfiguration
    /// The mixture of LoRA experts (its registry is in `training.databasePath`).
    public var experts: ExpertsConfiguration
    /// Serve the web console at `/` and `/ui/` (its files are embedded in the binary).
    public var ui: Bool
    /// The MCP server (`/mcp`, `groupqwen mcp`) and its memory store.
    public var mcp = MCPConfiguration()
    /// Per loaded model, MiB of finished sequences' keys and values kept so that a prompt sharing a prefix with one
    /// of them (a continued conversation, a repeated system prompt) computes only the rest; 0 (the default) turns this
    /// off. Opt-in because the shared prefix is then read in other passes than a cold prompt's, and like batching that
    /// can change a greedy answer where two tokens are nearly tied.
    public var prefixCacheMB = 0

    public init(host: String = "127.0.0.1", port: Int = 8080, models: [ServedModel] = ServedModel.defaults,
                limits: ServerLimits = ServerLimits(), keepAliveSeconds: Double? = 300, memoryBudgetMB: Int? = nil,
                threads: Int? = nil, apiKeys: [APIKeyEntry] = [], fetchMissing: Bool = true,
                routing: RoutingConfiguration = RoutingConfiguration(), cache: SemanticCacheConfiguration = SemanticCacheConfiguration(),
                training: FineTuningConfiguration = .standard, experts: ExpertsConfiguration = ExpertsConfiguration(),
                ui: Bool = true) {
        self.host = host
        self.port = port
        self.models = models
        self.limits = limits
        self.keepAliveSeconds = keepAliveSeconds
        self.memoryBudgetMB = memoryBudgetMB
        self.threads = threads
        self.apiKeys = apiKeys
        self.fetchMissing = fetchMissing
        self.routing = routing
        self.cache = cache
        self.training = training
        self.experts = experts
        self.ui = ui
    }

    /// The model pool settings this configuration implies.
    public var poolConfiguration: ModelPoolConfiguration {
        ModelPoolConfiguration(
            models: models.filter { $0.remote == nil },
            memoryBudgetBytes: memoryBudgetMB.map { Int64($0) << 20 },
            keepAlive: keepAliveSeconds.map { .milliseconds(Int64(max(0, $0) * 1000)) },
            threads: threads,
            maxQueuedPerModel: limits.maxQueuedPerModel,
            fetchMissing: fetchMissing, prefixCacheBytes: prefixCacheMB << 20)
    }

    /// Checks the `adapters` of `models[i]`: local models only, valid unique ids, a path, a finite scale,
    /// a tier ≥ 0.
    private func validateAdapters(of model: ServedModel, at i: Int) throws(ServerConfigurationError) {
        func fail(_ key: String, _ message: String) -> ServerConfigurationError { .invalid(key: key, message: message, line: nil) }
        guard !model.adapters.isEmpty else { return }
        if model.remote != nil {
            throw fail("models[\(i)].adapters", "apply only to models this server runs, not to a remote backend (url)")
        }
        var ids = Set<String>()
        for (j, adapter) in model.adapters.enumerated() {
            let key = "models[\(i)].adapters[\(j)]"
            if let problem = ServedAdapter.problem(withID: adapter.id) { throw fail("\(key).id", problem) }
            guard ids.insert(adapter.id).inserted else { throw fail("\(key).id", "'\(adapter.id)' is listed twice for model '\(model.id)'") }
            guard !adapter.path.isEmpty else { throw fail("\(key).path", "must not be empty") }
            if let problem = ServedAdapter.problem(withScale: adapter.scale) { throw fail("\(key).scale", problem) }
            if let tier = adapter.tier, tier < 0 { throw fail("\(key).tier", "must be ≥ 0") }
        }
    }

    /// Checks values a type alone cannot express; throws `ServerConfigurationError.invalid`.
    public func validate() throws(ServerConfigurationError) {
        func fail(_ key: String, _ message: String) -> ServerConfigurationError { .invalid(key: key, message: message, line: nil) }
        guard !host.isEmpty else { throw fail("host", "must not be empty") }
        guard (0...65535).contains(port) else { throw fail("port", "must be in 0...65535") }
        guard !models.isEmpty else { throw fail("models", "must list at least one model") }
        var seen = Set<String>()
        for (i, model) in models.enumerated() {
            guard !model.id.isEmpty else { throw fail("models[\(i)].id", "must not be empty") }
            guard seen.insert(model.id).inserted else { throw fail("models[\(i)].id", "'\(model.id)' is listed twice") }
            guard !model.source.isEmpty else { throw fail("models[\(i)].source", "must not be empty") }
            guard model.maxConcurrent >= 1 else { throw fail("models[\(i)].max_concurrent", "must be ≥ 1") }
            if let c = model.contextLength, c < 16 { throw fail("models[\(i)].context_length", "must be ≥ 16") }
            if let q = model.maxQueued, q < 0 { throw fail("models[\(i)].max_queued", "must be ≥ 0") }
            if model.remote == nil, model.can(.vision) {
                throw fail("models[\(i)].capabilities", "vision needs a remote vision-language backend (url:); the local engine runs text models")
            }
            if let languages = model.languages {
                guard !languages.isEmpty else { throw fail("models[\(i)].languages", "must list at least one language (omit it for any)") }
                if let bad = languages.sorted().first(where: { code in code.count < 2 || code.count > 3 || !code.allSatisfy({ $0.isASCII && $0.isLetter }) }) {
                    throw fail("models[\(i)].languages", "'\(bad)' is not an ISO 639-1 (or 639-3) code such as en, fr, zh")
                }
            }
            if let n = model.draftTokens, !(1...SpeculativeGenerator.draftTokenLimit).contains(n) {
                throw fail("models[\(i)].draft_tokens", "must be in 1...\(SpeculativeGenerator.draftTokenLimit)")
            }
            if let draft = model.draft {
                guard model.remote == nil else { throw fail("models[\(i)].draft", "applies to local models only (a remote server drafts for itself)") }
                guard !draft.isEmpty else { throw fail("models[\(i)].draft", "must name a model (a known id or a .gguf path)") }
            }
            if let remote = model.remote {
                guard let url = URL(string: remote.url), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw fail("models[\(i)].url", "must be an http(s) URL such as http://host:8000/v1")
                }
                guard remote.timeoutSeconds > 0 else { throw fail("models[\(i)].timeout", "must be > 0") }
                guard (1...10).contains(remote.attempts) else { throw fail("models[\(i)].attempts", "must be in 1...10") }
            }
            try validateAdapters(of: model, at: i)
        }
        let modelIDs = Set(models.map(\.id))
        for (i, model) in models.enumerated() {
            for (j, adapter) in model.adapters.enumerated() {
                let id = ServedAdapter.modelID(base: model.id, adapter: adapter.id)
                if modelIDs.contains(id) { throw fail("models[\(i)].adapters[\(j)].id", "'\(id)' is also a model id") }
            }
        }
        try limits.validate()
        if let keepAliveSeconds, !keepAliveSeconds.isFinite { throw fail("keep_alive_seconds", "must be a number") }
        if let memoryBudgetMB, memoryBudgetMB < 1 { throw fail("memory_budget_mb", "must be ≥ 1") }
        guard (0...1_048_576).contains(prefixCacheMB) else { throw fail("prefix_cache_mb", "must be in 0...1048576 (0 turns the prefix cache off)") }
        if let threads, threads < 1 { throw fail("threads", "must be ≥ 1") }
        guard (0...1).contains(cache.similarityThreshold) else { throw fail("cache.similarity_threshold", "must be in 0…1") }
        guard cache.ttlSeconds > 0, cache.timeSensitiveTTLSeconds > 0 else { throw fail("cache.ttl_seconds", "TTLs must be > 0") }
        guard cache.maxEntries >= 1 else { throw fail("cache.max_entries", "must be ≥ 1") }
        try training.validate()
        try experts.validate(models: models)
        try mcp.validate()
        do {
            try routing.validate()
        } catch {
            if case let .invalidConfiguration(key, message) = error { throw fail(key, message) }
            throw fail("routing", error.description)
        }
    }
}
