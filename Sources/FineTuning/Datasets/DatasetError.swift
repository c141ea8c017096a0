/// Why a dataset command could not do its work (bad arguments or a bad spec; bad input lines are `ImportError`s).
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidArgument(String)
    /// A generator spec problem; `key` is the path to the offending key, e.g. `categories[1].templates[0].turns`.
    case invalidSpec(key: String, reason: String)
    /// The spec cannot produce the requested number of distinct examples.
    case notEnoughExamples(requested: Int, produced: Int, rejected: Int)
    case invalidState(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidArgument(reason): return reason
        case let .invalidSpec(key, reason): return "spec key '\(key)': \(reason)"
        case let .notEnoughExamples(requested, produced, rejected):
            return "the spec yields only \(produced) distinct examples of the \(requested) requested (\(rejected) near-identical ones rejected); add templates or slot values, or lower --count"
        case let .invalidState(path, reason): return "review state \(path): \(reason)"
        }
    }
}
