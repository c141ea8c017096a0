/// Why an embedding model could not be loaded or used.
public enum EmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidModel(String)
    case tooManyInputs(count: Int, limit: Int)

    public var description: String {
        switch self {
        case let .invalidModel(reason): return "invalid embedding model: \(reason)"
        case let .tooManyInputs(count, limit): return "\(count) inputs in one request; the limit is \(limit)"
        }
    }
}
