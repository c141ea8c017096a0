import Engine

/// Why `ExpertService` did not deploy, roll back or load an expert release; each reads as one line naming the
/// expert, the file or the model at fault. Nothing changed when one is thrown: the previous release stays live.
public enum ExpertServiceError: Error, Sendable, CustomStringConvertible {
    /// The registry refused (an invalid release, nothing deployed, an unknown expert, no earlier version) or failed.
    case registry(ExpertRegistryError)
    /// The release's base model is not a configured model.
    case unknownBaseModel(String, available: [String])
    /// The release's base model is served by a remote backend; adapters apply only to models this server runs.
    case remoteBaseModel(String)
    /// The base model's header could not be read, so the adapters cannot be checked against it.
    case baseUnavailable(model: String, reason: String)
    /// The router was trained on another embedding model, or takes vectors of another length.
    case routerMismatch(String)
    /// An expert's adapter file (or folder) does not exist.
    case adapterNotFound(expert: String, path: String)
    /// An expert's adapter could not be loaded, or does not fit the base model.
    case invalidAdapter(expert: String, path: String, LoRAError)
    /// The adapter file's SHA-256 is not the one the record names (`version` 0: the release being deployed; else
    /// a stored version whose file was replaced since it was registered).
    case fingerprintMismatch(expert: String, version: Int, path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .registry(error):
            return error.description
        case let .unknownBaseModel(id, available):
            return "the release's base model '\(id)' is not a configured model; configured: \(available.joined(separator: ", "))"
        case let .remoteBaseModel(id):
            return "the release's base model '\(id)' is served by a remote backend; experts apply only to models this server runs"
        case let .baseUnavailable(model, reason):
            return "the experts cannot be checked against model '\(model)': \(reason)"
        case let .routerMismatch(why):
            return "the release's router does not fit this server: \(why)"
        case let .adapterNotFound(expert, path):
            return "expert '\(expert)': the adapter '\(path)' does not exist"
        case let .invalidAdapter(expert, path, error):
            return "expert '\(expert)': the adapter '\(path)' cannot be served: \(error.description)"
        case let .fingerprintMismatch(expert, version, path, expected, found):
            let which = version == 0 ? "the release names adapter_fingerprint" : "version \(version) was registered with"
            return "expert '\(expert)': the adapter '\(path)' has SHA-256 \(found), but \(which) \(expected)"
                + (version == 0 ? "" : " (the file was replaced since)")
        }
    }
}
