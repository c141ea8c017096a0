import Foundation

/// What a training run reports while it runs (the CLI draws a progress bar from these; the server's jobs
/// turn them into fine-tuning events).
public enum TrainingEvent: Sendable {
    /// Data loaded and the model prepared; nothing trained yet.
    case prepared(TrainingRunInfo)
    /// One optimizer step finished.
    case step(TrainingStepReport)
    /// Validation loss measured (step 0: before training).
    case evaluated(step: Int, loss: Double, perplexity: Double)
    /// A checkpoint was written.
    case checkpoint(step: Int, path: String)
}

/// The shape of a run, known before its first step.
public struct TrainingRunInfo: Sendable {
    public var modelName: String
    public var architecture: String
    public var trainExamples: Int
    public var validExamples: Int
    public var trainTokens: Int
    public var trainTargetTokens: Int
    public var droppedExamples: Int
    public var totalSteps: Int
    public var stepsPerEpoch: Int
    public var trainableParameters: Int
    /// Layers that keep their activations (the others recompute them in the backward pass).
    public var storedLayers: Int
    public var layers: Int
    /// The step a resumed run continues after (0 for a new run).
    public var resumedAfterStep: Int
}

/// One optimizer step.
public struct TrainingStepReport: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var epoch: Double
    /// Mean cross-entropy of the step's target tokens.
    public var loss: Double
    public var learningRate: Double
    /// Gradient norm before clipping.
    public var gradientNorm: Double
    /// All tokens of the step (prompt and answer) per second of the step.
    public var tokensPerSecond: Double
    public var elapsedSeconds: Double
    /// Estimated seconds left, from the mean step time so far.
    public var remainingSeconds: Double
    /// Tokens of this step (prompt and answer, every micro-batch).
    public var tokens: Int = 0
    /// Tokens of every step so far, the steps before a resume included.
    public var totalTokens: Int = 0
}

/// The outcome of `Trainer.run`.
public struct TrainingSummary: Sendable {
    public var steps: Int
    public var totalSteps: Int
    /// False when the run was stopped (SIGINT, cancel) before its last step; a checkpoint holds its state.
    public var completed: Bool
    public var finalLoss: Double?
    public var initialValidationLoss: Double?
    public var finalValidationLoss: Double?
    /// Mean training tokens per second over the steps this process ran.
    public var tokensPerSecond: Double
    public var elapsedSeconds: Double
    public var peakResidentBytes: Int
    /// `OUT/adapter.gguf` and `OUT/adapter-peft/` (nil when stopped early).
    public var adapterGGUF: String?
    public var adapterPEFT: String?
}

enum ResidentMemory {
    /// Peak resident set size of this process (VmHWM), in bytes.
    static func peakBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }
}
