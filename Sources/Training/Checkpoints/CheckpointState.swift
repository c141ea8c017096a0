/// One point of a loss curve.
public struct LossPoint: Sendable, Codable, Equatable {
    /// The 1-based optimizer step.
    public var step: Int
    /// The loss at that step (mean per target token).
    public var loss: Double

    /// A point.
    public init(step: Int, loss: Double) {
        self.step = step
        self.loss = loss
    }
}

/// Everything besides tensors that a resumed run needs (`state.json`): where it is, its random state and
/// learning rate, the loss curves for metrics, and the fingerprint that guards against changed settings.
public struct CheckpointState: Sendable, Codable, Equatable {
    /// The layout of this file (1).
    public var formatVersion = 1
    /// Optimizer steps completed.
    public var step: Int
    /// The next micro-batch to take.
    public var cursor: DataCursor
    /// The run's random generator after `step` steps (dropout masks and the like).
    public var rng: SplitMix64
    /// The learning rate of the last step taken.
    public var learningRate: Double
    /// Training loss of each step taken (kept for smoothing and summaries after a resume).
    public var lossHistory: [LossPoint]
    /// Validation loss of each evaluation.
    public var validationHistory: [LossPoint]
    /// Tokens processed so far.
    public var tokensSeen: Int
    /// Training time so far (continues across resumes).
    public var elapsedSeconds: Double
    /// The parameter tensors' names, in the order of the optimizer's state.
    public var parameterNames: [String]
    /// What the run depends on.
    public var fingerprint: TrainingFingerprint

    /// A state.
    public init(step: Int, cursor: DataCursor, rng: SplitMix64, learningRate: Double, lossHistory: [LossPoint] = [],
                validationHistory: [LossPoint] = [], tokensSeen: Int = 0, elapsedSeconds: Double = 0,
                parameterNames: [String], fingerprint: TrainingFingerprint) {
        self.step = step
        self.cursor = cursor
        self.rng = rng
        self.learningRate = learningRate
        self.lossHistory = lossHistory
        self.validationHistory = validationHistory
        self.tokensSeen = tokensSeen
        self.elapsedSeconds = elapsedSeconds
        self.parameterNames = parameterNames
        self.fingerprint = fingerprint
    }

    /// The best (lowest) validation loss so far.
    public var bestValidationLoss: LossPoint? {
        validationHistory.filter { $0.loss.isFinite }.min { $0.loss < $1.loss }
    }

    enum CodingKeys: String, CodingKey {
        case step, cursor, rng, fingerprint
        case formatVersion = "format_version"
        case learningRate = "learning_rate"
        case lossHistory = "loss_history"
        case validationHistory = "validation_history"
        case tokensSeen = "tokens_seen"
        case elapsedSeconds = "elapsed_seconds"
        case parameterNames = "parameter_names"
    }
}

/// A saved training state: the trainable tensors, the optimizer's moments and the run state.
public struct Checkpoint: Sendable, Equatable {
    /// The trainable tensors (LoRA A and B matrices), in optimizer order.
    public var parameters: [ParameterTensor]
    /// The optimizer (its step count and moments, one buffer per parameter).
    public var optimizer: AdamW
    /// The run state.
    public var state: CheckpointState

    /// A checkpoint; the optimizer must hold one buffer per parameter, of the same sizes.
    public init(parameters: [ParameterTensor], optimizer: AdamW, state: CheckpointState) {
        precondition(optimizer.counts == parameters.map(\.count), "optimizer state does not match the parameters")
        self.parameters = parameters
        self.optimizer = optimizer
        self.state = state
    }
}
