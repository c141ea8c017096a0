/// Limits of a `BatchScheduler`.
public struct SchedulerConfiguration: Sendable {
    /// Sequences generating at once; each decode step feeds one token of each through a single
    /// forward pass, so they share every weight read.
    public var maxActiveSequences: Int = 8
    /// Requests allowed to wait for a free slot; beyond this `submit` throws `overCapacity`.
    public var maxQueuedRequests: Int = 32
    /// Prompt tokens processed per step across all sequences still reading their prompt. Smaller
    /// values keep running streams smooth while a long prompt arrives; larger ones finish prompts
    /// sooner.
    public var prefillTokensPerStep: Int = 128
    /// Most tokens (prompt + generated) one sequence may hold.
    public var contextLength: Int = 4096
    /// Bytes of finished sequences' keys and values kept so that later prompts sharing a prefix with them read only
    /// the rest (see `PrefixCache`); 0 keeps nothing.
    public var prefixCacheBytes: Int = 0
    /// With a draft model: most tokens it proposes per round (1...`SpeculativeGenerator.draftTokenLimit`).
    public var draftTokens: Int = SpeculativeGenerator.draftTokenLimit

    public init(maxActiveSequences: Int = 8, maxQueuedRequests: Int = 32, prefillTokensPerStep: Int = 128,
                contextLength: Int = 4096, prefixCacheBytes: Int = 0, draftTokens: Int = SpeculativeGenerator.draftTokenLimit) {
        self.maxActiveSequences = max(1, maxActiveSequences)
        self.maxQueuedRequests = max(0, maxQueuedRequests)
        self.prefillTokensPerStep = max(1, prefillTokensPerStep)
        self.contextLength = max(2, contextLength)
        self.prefixCacheBytes = max(0, prefixCacheBytes)
        self.draftTokens = min(SpeculativeGenerator.draftTokenLimit, max(1, draftTokens))
    }
}
