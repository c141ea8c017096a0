/// A run's tokenized data: training and validation sequences (each an example, or several packed examples) and
/// their statistics. Build it with ``init(files:encoder:maxSeqLen:pack:progress:)``, which validates every file
/// before tokenizing anything.
public struct TrainingData: Sendable {
    /// The files read.
    public let files: TrainingDataFiles
    /// The longest sequence, in tokens.
    public let maxSeqLen: Int
    /// Whether short examples were packed together.
    public let packed: Bool
    /// The training sequences.
    public let train: [TrainingSequence]
    /// The validation sequences (empty without a validation file).
    public let valid: [TrainingSequence]
    /// Counts of the training file.
    public let trainStatistics: TrainingDataStatistics
    /// Counts of the validation file (all zero without one).
    public let validStatistics: TrainingDataStatistics

    /// Data from already built sequences (tests, or callers with their own tokenization).
    public init(files: TrainingDataFiles, maxSeqLen: Int, packed: Bool, train: [TrainingSequence], valid: [TrainingSequence],
                trainStatistics: TrainingDataStatistics, validStatistics: TrainingDataStatistics) {
        self.files = files
        self.maxSeqLen = maxSeqLen
        self.packed = packed
        self.train = train
        self.valid = valid
        self.trainStatistics = trainStatistics
        self.validStatistics = validStatistics
    }

    /// The training batch of sequence `indices` (from a ``BatchSampler``).
    public func batch(_ indices: [Int]) -> TrainingBatch {
        TrainingBatch(sequences: indices.map { train[$0] })
    }

    /// The seeded sampler over the training sequences.
    public func sampler(batchSize: Int, seed: UInt64) -> BatchSampler {
        BatchSampler(count: train.count, batchSize: batchSize, seed: seed)
    }

    /// Micro-batches per epoch with `batchSize` sequences each (the last may be short).
    public func batchesPerEpoch(batchSize: Int) -> Int { (train.count + batchSize - 1) / batchSize }

    /// Optimizer steps per epoch: micro-batches per epoch grouped by `gradAccum` (the last group may be short).
    public func stepsPerEpoch(batchSize: Int, gradAccum: Int) -> Int {
        (batchesPerEpoch(batchSize: batchSize) + gradAccum - 1) / gradAccum
    }

    /// The validation set in file order, `batchSize` sequences per batch.
    public func validationBatches(batchSize: Int) -> [TrainingBatch] {
        precondition(batchSize > 0, "batch size must be positive")
        return stride(from: 0, to: valid.count, by: batchSize).map {
            TrainingBatch(sequences: Array(valid[$0..<min($0 + batchSize, valid.count)]))
        }
    }
}
