/// Why an expert router could not be trained, loaded or used.
public enum ExpertRouterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The training sets are unusable (fewer than one expert, an empty or duplicate id, an expert without prompts).
    case invalidTrainingData(String)
    /// A configuration value is out of range; `key` names it.
    case invalidConfiguration(key: String, message: String)
    /// A vector has the wrong length or is not finite.
    case invalidEmbedding(expected: Int, got: Int)
    /// A stored router could not be decoded (bad JSON, unknown version, inconsistent sizes).
    case invalidModel(String)
    /// The embedding function returned the wrong number of vectors.
    case embeddingFailed(String)

    public var description: String {
        switch self {
        case let .invalidTrainingData(reason): return "expert router training data: \(reason)"
        case let .invalidConfiguration(key, message): return "\(key) \(message)"
        case let .invalidEmbedding(expected, got): return "embedding has \(got) values; the router expects \(expected)"
        case let .invalidModel(reason): return "stored expert router: \(reason)"
        case let .embeddingFailed(reason): return "embedding for the expert router failed: \(reason)"
        }
    }
}
