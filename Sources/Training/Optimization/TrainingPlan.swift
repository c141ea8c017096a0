/// How a run's micro-batches map to optimizer steps: each epoch's `batchesPerEpoch` micro-batches are grouped
/// `gradAccum` at a time (the last group of an epoch may be short; groups never span two epochs), and the run
/// lasts `maxSteps` steps when given (more or fewer than `epochs` epochs), else `epochs` whole epochs.
public struct TrainingPlan: Sendable, Equatable, Codable {
    /// Micro-batches per epoch.
    public let batchesPerEpoch: Int
    /// Micro-batches per optimizer step.
    public let gradAccum: Int
    /// Epochs (when `maxSteps` is nil).
    public let epochs: Int
    /// A step limit that overrides `epochs`.
    public let maxSteps: Int?

    /// A plan; all counts must be positive.
    public init(batchesPerEpoch: Int, gradAccum: Int, epochs: Int, maxSteps: Int? = nil) {
        precondition(batchesPerEpoch >= 1 && gradAccum >= 1 && epochs >= 1 && (maxSteps ?? 1) >= 1, "plan counts must be positive")
        self.batchesPerEpoch = batchesPerEpoch
        self.gradAccum = gradAccum
        self.epochs = epochs
        self.maxSteps = maxSteps
    }

    /// Optimizer steps per epoch.
    public var stepsPerEpoch: Int { (batchesPerEpoch + gradAccum - 1) / gradAccum }

    /// Optimizer steps of the whole run.
    public var totalSteps: Int { maxSteps ?? epochs * stepsPerEpoch }

    /// The 0-based epoch of 1-based step `step`.
    public func epoch(ofStep step: Int) -> Int { (step - 1) / stepsPerEpoch }

    /// Fractional epochs completed after 1-based step `step` (1.0 at the end of the first epoch).
    public func epochProgress(afterStep step: Int) -> Double {
        let epoch = step / stepsPerEpoch
        let within = step % stepsPerEpoch
        let batches = min(within * gradAccum, batchesPerEpoch)
        return Double(epoch) + Double(batches) / Double(batchesPerEpoch)
    }

    /// The cursors of the micro-batches of 1-based step `step`.
    public func microBatches(ofStep step: Int) -> [DataCursor] {
        precondition(step >= 1, "steps are 1-based")
        let epoch = epoch(ofStep: step)
        let first = ((step - 1) % stepsPerEpoch) * gradAccum
        return (first..<min(first + gradAccum, batchesPerEpoch)).map { DataCursor(epoch: epoch, batchIndex: $0) }
    }

    /// The cursor of the first micro-batch after `completedSteps` steps (where a resumed run continues).
    public func cursor(afterSteps completedSteps: Int) -> DataCursor {
        DataCursor(epoch: completedSteps / stepsPerEpoch, batchIndex: (completedSteps % stepsPerEpoch) * gradAccum)
    }

    enum CodingKeys: String, CodingKey {
        case epochs
        case batchesPerEpoch = "batches_per_epoch"
        case gradAccum = "grad_accum"
        case maxSteps = "max_steps"
    }
}
