/// Why a training run cannot start or continue. Each reads as one line.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    /// A checkpoint does not fit this run's adapter.
    case checkpointMismatch(String)
    /// The model cannot be trained (architecture, shapes, memory).
    case unsupportedModel(String)
    /// Something in the settings that only shows once the model is known.
    case invalidSetting(String)
    /// The loss became NaN or infinite.
    case diverged(step: Int)
    /// Writing an output failed.
    case output(String)

    public var description: String {
        switch self {
        case let .checkpointMismatch(m): return "the checkpoint does not fit this run: \(m)"
        case let .unsupportedModel(m): return "cannot train this model: \(m)"
        case let .invalidSetting(m): return "invalid setting: \(m)"
        case let .diverged(step): return "the loss is not finite at step \(step) (try a lower learning rate)"
        case let .output(m): return "cannot write the output: \(m)"
        }
    }
}
