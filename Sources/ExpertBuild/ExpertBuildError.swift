/// Why `groupqwen experts build` stopped. A failed stage names the expert and the stage; nothing is deployed then.
public enum ExpertBuildError: Error, Sendable, CustomStringConvertible {
    /// The experts.yaml file is unreadable or wrong (the message names the key and line).
    case configuration(String)
    /// A stage of one expert (or of the router, `expert` nil) failed.
    case stageFailed(expert: String?, stage: String, reason: String)
    /// Deploying the release failed (server or database).
    case deployFailed(String)

    public var description: String {
        switch self {
        case let .configuration(message): "experts.yaml: \(message)"
        case let .stageFailed(expert, stage, reason): "\(expert.map { "expert '\($0)': " } ?? "")\(stage) failed: \(reason)"
        case let .deployFailed(message): "deploy failed: \(message)"
        }
    }
}
