/// Deals sequences into micro-batches: a seeded shuffle per epoch (the same order on every machine), `batchSize`
/// sequences per batch, the last batch of an epoch short when the count does not divide, nothing dropped.
///
/// The order of epoch `e` depends only on the seed and `e`, so any ``DataCursor`` can be resumed without
/// replaying the batches before it.
public struct BatchSampler: Sendable, Equatable {
    /// Number of sequences.
    public let count: Int
    /// Sequences per micro-batch.
    public let batchSize: Int
    /// The shuffle seed.
    public let seed: UInt64
    /// Whether epochs are shuffled (false: file order, e.g. for validation).
    public let shuffles: Bool

    /// A sampler over `count` sequences (`count` and `batchSize` must be positive).
    public init(count: Int, batchSize: Int, seed: UInt64, shuffles: Bool = true) {
        precondition(count > 0 && batchSize > 0, "count and batch size must be positive")
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        self.shuffles = shuffles
    }

    /// Micro-batches per epoch (the last may be short).
    public var batchesPerEpoch: Int { (count + batchSize - 1) / batchSize }

    /// The order of the sequences in `epoch`.
    public func order(epoch: Int) -> [Int] {
        guard shuffles else { return Array(0..<count) }
        var rng = SplitMix64.derived(seed: seed, stream: UInt64(epoch))
        return rng.permutation(of: count)
    }

    /// The sequence indices of the batch at `cursor` (recomputes the epoch's order; iterate with
    /// ``makeIterator(from:)`` to take many batches).
    public func indices(at cursor: DataCursor) -> [Int] {
        Self.slice(order(epoch: cursor.epoch), batch: cursor.batchIndex, size: batchSize)
    }

    /// The cursor of the batch after `cursor` (the first of the next epoch after an epoch's last).
    public func cursor(after cursor: DataCursor) -> DataCursor {
        cursor.batchIndex + 1 < batchesPerEpoch
            ? DataCursor(epoch: cursor.epoch, batchIndex: cursor.batchIndex + 1)
            : DataCursor(epoch: cursor.epoch + 1, batchIndex: 0)
    }

    /// An endless iterator over batches starting at `cursor`.
    public func makeIterator(from cursor: DataCursor = .start) -> Iterator {
        Iterator(sampler: self, cursor: cursor)
    }

    static func slice(_ order: [Int], batch: Int, size: Int) -> [Int] {
        let start = batch * size
        precondition(start >= 0 && start < order.count, "batch \(batch) is past the end of the epoch")
        return Array(order[start..<min(start + size, order.count)])
    }

    /// Batches in order from a cursor, each epoch's order computed once.
    public struct Iterator: Sendable, IteratorProtocol {
        /// The sampler.
        public let sampler: BatchSampler
        /// The batch ``next()`` returns next (save this to resume).
        public private(set) var cursor: DataCursor
        private var epochOrder: (epoch: Int, order: [Int])?

        init(sampler: BatchSampler, cursor: DataCursor) {
            self.sampler = sampler
            self.cursor = cursor
        }

        /// The next batch and its cursor; never nil (epochs continue).
        public mutating func next() -> (cursor: DataCursor, indices: [Int])? {
            if epochOrder?.epoch != cursor.epoch { epochOrder = (cursor.epoch, sampler.order(epoch: cursor.epoch)) }
            let taken = cursor
            let indices = BatchSampler.slice(epochOrder!.order, batch: taken.batchIndex, size: sampler.batchSize)
            cursor = sampler.cursor(after: taken)
            return (taken, indices)
        }
    }
}
