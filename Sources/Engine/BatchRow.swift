/// One token of a forward pass: which sequence it belongs to and where.
///
/// A forward pass may mix rows of several sequences (continuous batching); every row attends to
/// its own sequence's cache up to and including its own position.
public struct BatchRow: @unchecked Sendable {
    public let token: Int32
    public let position: Int
    public let cache: KVCache
    /// Whether the caller wants this row's logits.
    public let wantsLogits: Bool
    /// LoRA adapters applied to this row (rows of one pass may use different adapters).
    public let adapters: AdapterMix

    public init(token: Int32, position: Int, cache: KVCache, wantsLogits: Bool, adapters: AdapterMix = .none) {
        self.token = token
        self.position = position
        self.cache = cache
        self.wantsLogits = wantsLogits
        self.adapters = adapters
    }
}
