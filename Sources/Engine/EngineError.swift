import GGUF

/// Errors raised while loading or running a model. Each reads as one line naming the problem.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case file(GGUFError)
    case unknownArchitecture(String)
    case unsupportedTensorType(tensor: String, type: String)
    case invalidModel(String)
    case contextOverflow(needed: Int, capacity: Int)
    case invalidArgument(String)
    case cancelled
    /// The scheduler's queue is full; retry after a short wait.
    case overCapacity(queued: Int)
    /// The scheduler is shutting down and takes no new work.
    case shuttingDown

    public var description: String {
        switch self {
        case let .file(e): return e.description
        case let .unknownArchitecture(a):
            return "unknown model architecture '\(a)' (supported: \(ModelLoader.supportedArchitectures.joined(separator: ", ")))"
        case let .unsupportedTensorType(t, type): return "tensor '\(t)' uses quantization type \(type), which the engine does not support"
        case let .invalidModel(m): return "invalid model: \(m)"
        case let .contextOverflow(needed, capacity): return "context overflow: \(needed) tokens needed but the context holds \(capacity)"
        case let .invalidArgument(m): return "invalid argument: \(m)"
        case .cancelled: return "generation cancelled"
        case let .overCapacity(queued): return "over capacity: \(queued) requests are already waiting"
        case .shuttingDown: return "the model is shutting down"
        }
    }
}
