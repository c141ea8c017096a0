/// Why `groupqwen route eval` / `route calibrate` stopped.
public enum RouteEvaluationError: Error, Sendable, CustomStringConvertible {
    /// The prompt set or another input file is unreadable or wrong (the message names file and line).
    case input(String)
    /// A model could not be loaded or failed while answering.
    case model(String)
    /// Calibration found nothing to fit (e.g. too few prompts in the train split).
    case calibration(String)

    public var description: String {
        switch self {
        case let .input(message): message
        case let .model(message): "model: \(message)"
        case let .calibration(message): "calibration: \(message)"
        }
    }
}
