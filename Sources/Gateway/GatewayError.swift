import Engine

/// Errors of the model pool, each one line naming the problem. The server maps them to HTTP.
public enum GatewayError: Error, Sendable, CustomStringConvertible {
    /// No configured model has this id.
    case unknownModel(String, available: [String])
    /// The model's file could not be found, fetched or loaded.
    case loadFailed(model: String, reason: String)
    /// Loading the model would exceed the pool's memory budget and nothing idle can be unloaded.
    case insufficientMemory(model: String, neededBytes: Int64, budgetBytes: Int64)
    /// The pool is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case let .unknownModel(id, available):
            return "the model '\(id)' does not exist; available models: \(available.joined(separator: ", "))"
        case let .loadFailed(model, reason):
            return "the model '\(model)' could not be loaded: \(reason)"
        case let .insufficientMemory(model, needed, budget):
            return "not enough memory to load '\(model)': it needs \(needed >> 20) MiB and the budget of \(budget >> 20) MiB is taken by busy models"
        case .shuttingDown:
            return "the server is shutting down"
        }
    }
}
