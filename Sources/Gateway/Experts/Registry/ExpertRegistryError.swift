/// Why the expert registry refused a change.
public enum ExpertRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A release that does not decode or does not hold together (`ExpertRelease.problem`).
    case invalidRelease(String)
    /// No release is deployed.
    case nothingDeployed
    /// The deployed release has no expert of this id.
    case unknownExpert(String, available: [String])
    /// The expert is at its first version: there is nothing to roll back to.
    case noPreviousVersion(id: String, version: Int)
    /// The SQLite database failed.
    case storage(String)

    public var description: String {
        switch self {
        case let .invalidRelease(why): "invalid expert release: \(why)"
        case .nothingDeployed: "no experts are deployed (build and deploy them with `groupqwen experts build`)"
        case let .unknownExpert(id, available):
            "no deployed expert '\(id)'" + (available.isEmpty ? "" : "; deployed: " + available.joined(separator: ", "))
        case let .noPreviousVersion(id, version): "expert '\(id)' is at version \(version), its first: there is no earlier version"
        case let .storage(why): "expert registry database: \(why)"
        }
    }
}
