/// Bookkeeping for gradient accumulation over the micro-batches of one optimizer step, averaging over target
/// tokens: each micro-batch's backward pass adds the gradient of its *summed* weighted token losses into the
/// gradient buffers and reports that sum and its weight here; before clipping and the update, the buffers are
/// multiplied by ``gradientScale``, so the step follows the mean loss per target token over all micro-batches
/// (a micro-batch with few target tokens does not count as much as one with many).
public struct GradientAccumulator: Sendable, Equatable {
    /// Micro-batches per optimizer step.
    public let microBatchesPerStep: Int
    /// Micro-batches added since the last reset.
    public private(set) var microBatches = 0
    /// Σ weight · token loss over the added micro-batches.
    public private(set) var lossSum = 0.0
    /// Σ weight (the target token count for 0/1 weights).
    public private(set) var targetWeight = 0.0
    /// Tokens (inputs) processed since the last reset, for throughput.
    public private(set) var tokens = 0

    /// An accumulator of `microBatchesPerStep` (≥ 1) micro-batches per step.
    public init(microBatchesPerStep: Int) {
        precondition(microBatchesPerStep >= 1, "grad_accum must be at least 1")
        self.microBatchesPerStep = microBatchesPerStep
    }

    /// Records one micro-batch: the sum of its weighted token losses, the sum of its weights, its token count.
    public mutating func add(lossSum: Double, targetWeight: Double, tokens: Int) {
        microBatches += 1
        self.lossSum += lossSum
        self.targetWeight += targetWeight
        self.tokens += tokens
    }

    /// Whether the step's micro-batches are all in (a short last group of an epoch is completed by the caller).
    public var isComplete: Bool { microBatches >= microBatchesPerStep }

    /// The mean loss per target token over the accumulated micro-batches (NaN before any target).
    public var meanLoss: Double { targetWeight > 0 ? lossSum / targetWeight : .nan }

    /// What to multiply the summed gradients by: 1 / total target weight (0 when there was no target).
    public var gradientScale: Float { targetWeight > 0 ? Float(1 / targetWeight) : 0 }

    /// Multiplies `gradients` by ``gradientScale`` in place.
    public func scale(_ gradients: [UnsafeMutableBufferPointer<Float>]) {
        let s = gradientScale
        for g in gradients {
            for k in g.indices { g[k] *= s }
        }
    }

    /// Multiplies gradient arrays by ``gradientScale`` in place.
    public func scale(_ gradients: inout [[Float]]) {
        let s = gradientScale
        for i in gradients.indices {
            gradients[i].withUnsafeMutableBufferPointer { g in
                for k in g.indices { g[k] *= s }
            }
        }
    }

    /// Starts the next step.
    public mutating func reset() {
        microBatches = 0
        lossSum = 0
        targetWeight = 0
        tokens = 0
    }
}
