/// Why a remote backend could not answer.
public enum RemoteBackendError: Error, Sendable, CustomStringConvertible {
    /// The circuit breaker has taken the backend out after repeated failures.
    case circuitOpen(model: String, url: String)
    /// Connection refused, reset, timed out, or a 5xx/429 answer, after every attempt.
    case unavailable(model: String, url: String, reason: String)
    /// The endpoint URL is not a valid http(s) URL.
    case invalidURL(String)

    public var description: String {
        switch self {
        case let .circuitOpen(model, url):
            return "backend for '\(model)' at \(url) is failing; circuit open, skipped"
        case let .unavailable(model, url, reason):
            return "backend for '\(model)' at \(url) is unavailable: \(reason)"
        case let .invalidURL(url):
            return "invalid backend URL '\(url)'"
        }
    }
}
