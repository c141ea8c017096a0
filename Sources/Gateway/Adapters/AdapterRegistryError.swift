import Engine

/// Why an adapter cannot be served; each reads as one line naming the adapter and the problem.
public enum AdapterRegistryError: Error, Sendable, CustomStringConvertible {
    /// An adapter with this id is already served on this model (or is being loaded).
    case duplicate(id: String, model: String)
    /// No configured model has this id.
    case unknownModel(String, available: [String])
    /// The model is served by a remote backend; adapters apply to models this server runs.
    case remoteModel(String)
    /// The id, scale or tier is not acceptable.
    case invalidSetting(field: String, message: String)
    /// The file could not be loaded, or does not fit the base model.
    case invalidAdapter(id: String, model: String, LoRAError)
    /// The base model's header could not be read, so the adapter cannot be checked against it.
    case baseUnavailable(model: String, reason: String)

    public var description: String {
        switch self {
        case let .duplicate(id, model):
            return "an adapter '\(id)' is already served on model '\(model)'"
        case let .unknownModel(id, available):
            return "the model '\(id)' does not exist; available models: \(available.joined(separator: ", "))"
        case let .remoteModel(id):
            return "the model '\(id)' is served by a remote backend; adapters apply only to models this server runs"
        case let .invalidSetting(field, message):
            return "'\(field)' \(message)"
        case let .invalidAdapter(id, model, error):
            return "adapter '\(id)' for model '\(model)': \(error.description)"
        case let .baseUnavailable(model, reason):
            return "the adapter cannot be checked against model '\(model)': \(reason)"
        }
    }
}
