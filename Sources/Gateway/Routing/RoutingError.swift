/// Why a request could not be routed.
public enum RoutingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request named a device profile the configuration does not define.
    case unknownProfile(String, known: [String])
    /// No configured model fits the request (profile and context limits).
    case noModel(String)
    /// A `routing:` value is out of range.
    case invalidConfiguration(key: String, message: String)

    public var description: String {
        switch self {
        case let .unknownProfile(name, known):
            return "unknown device profile '\(name)'; expected one of \(known.sorted().joined(separator: ", "))"
        case let .noModel(reason):
            return reason
        case let .invalidConfiguration(key, message):
            return "\(key) \(message)"
        }
    }
}
