import Engine
import Foundation

/// Everything a LoRA fine-tuning run is set up with. Loaded from YAML (``load(path:)``), set key by key from
/// command-line flags (``set(_:to:)``, the same spellings), checked by ``validate()``, and saved (JSON, snake_case
/// keys) in every checkpoint so a resume with other settings is refused.
public struct TrainingConfiguration: Sendable, Codable, Equatable {
    /// The base model: a known id (`qwen2.5-coder-0.5b`) or a `.gguf` path.
    public var model = ""
    /// A folder written by `groupqwen data split` (`train.jsonl`, optional `valid.jsonl`) or a training file.
    public var data = ""
    /// A validation file (overrides a data folder's `valid.jsonl`).
    public var valid: String?
    /// The output folder (`checkpoints/`, `metrics.jsonl`, the adapter).
    public var output = ""
    /// LoRA rank r.
    public var rank = 16
    /// LoRA alpha (the update is scaled by alpha / r, or alpha / √r with rsLoRA).
    public var alpha = 32.0
    /// Dropout on the LoRA input during training.
    public var dropout = 0.0
    /// rsLoRA scaling: alpha / √r instead of alpha / r.
    public var rslora = false
    /// The projections that get adapters (all seven by default).
    public var targets: [LoRATarget] = LoRATarget.allCases
    /// Passes over the training set (ignored when `maxSteps` is set).
    public var epochs = 3
    /// Peak learning rate.
    public var learningRate = 2e-4
    /// Sequences per micro-batch.
    public var batchSize = 4
    /// Micro-batches per optimizer step.
    public var gradAccum = 1
    /// Longest sequence in tokens (longer examples are cut, keeping the beginning).
    public var maxSeqLen = 512
    /// Warmup steps or ratio of all steps.
    public var warmup = Warmup.ratio(0.03)
    /// Decay after warmup.
    public var schedule = DecayKind.cosine
    /// The learning rate the decay ends at.
    public var minLearningRate = 0.0
    /// AdamW's decoupled weight decay.
    public var weightDecay = 0.0
    /// Global gradient-norm clipping threshold (0: no clipping).
    public var maxGradNorm = 1.0
    /// Seed of the data order, LoRA initialisation and dropout.
    public var seed: UInt64 = 0
    /// Evaluate on the validation set every this many steps (nil: at the end of each epoch).
    public var evalEvery: Int?
    /// Save a checkpoint every this many steps (nil: at the end of each epoch).
    public var saveEvery: Int?
    /// Checkpoints kept (the newest).
    public var keepCheckpoints = 3
    /// Pack several short examples into one sequence.
    public var pack = false
    /// Compute threads (nil: all cores).
    public var threads: Int?
    /// Stop after this many optimizer steps (overrides `epochs`).
    public var maxSteps: Int?

    /// The defaults (model, data and output must still be set).
    public init() {}

    /// The LoRA update's scale: alpha / r, or alpha / √r with rsLoRA.
    public var loraScale: Double { rslora ? alpha / Double(rank).squareRoot() : alpha / Double(rank) }

    /// Threads to use: `threads`, or every active core.
    public var resolvedThreads: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// AdamW's constants (β1 0.9, β2 0.999, ε 1e-8, this weight decay).
    public var adamW: AdamW.Hyperparameters { AdamW.Hyperparameters(weightDecay: weightDecay) }

    /// The learning-rate schedule of a run of `totalSteps` optimizer steps.
    public func learningRateSchedule(totalSteps: Int) -> LearningRateSchedule {
        LearningRateSchedule(peak: learningRate, minimum: minLearningRate, warmup: warmup, totalSteps: totalSteps, decay: schedule)
    }

    /// The step plan for a training set of `batchesPerEpoch` micro-batches per epoch.
    public func plan(batchesPerEpoch: Int) -> TrainingPlan {
        TrainingPlan(batchesPerEpoch: batchesPerEpoch, gradAccum: gradAccum, epochs: epochs, maxSteps: maxSteps)
    }

    enum CodingKeys: String, CodingKey {
        case model, data, valid, output, rank, alpha, dropout, rslora, targets, epochs, warmup, schedule, seed, pack, threads
        case learningRate = "learning_rate"
        case batchSize = "batch_size"
        case gradAccum = "grad_accum"
        case maxSeqLen = "max_seq_len"
        case minLearningRate = "min_learning_rate"
        case weightDecay = "weight_decay"
        case maxGradNorm = "max_grad_norm"
        case evalEvery = "eval_every"
        case saveEvery = "save_every"
        case keepCheckpoints = "keep_checkpoints"
        case maxSteps = "max_steps"
    }
}
