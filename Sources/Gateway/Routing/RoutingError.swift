/// Why a request could not be routed.
public enum RoutingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request named a device profile the configuration does not define.
    case unknownProfile(String, known: [String])
    /// No configured model fits the request (profile and context limits).
    case noModel(String)
    /// A `routing:` value is out of range.
    case invalidConfiguration(key: String, message: String)
    /// The named model (or, with `model` nil, every configured model) lacks what the request needs.
    case missingCapability(ModelCapability, model: String?)

    public var description: String {
        switch self {
        case let .unknownProfile(name, known):
            return "unknown device profile '\(name)'; expected one of \(known.sorted().joined(separator: ", "))"
        case let .noModel(reason):
            return reason
        case let .invalidConfiguration(key, message):
            return "\(key) \(message)"
        case let .missingCapability(capability, model?):
            return "model '\(model)' does not have the '\(capability.rawValue)' capability"
                + (capability == .chat ? " (a base model without a chat template: use /v1/completions, or configure capabilities: [chat, completion])" : "")
                + (capability == .tools ? " (its chat template does not list tools; configure capabilities: [chat, completion, tools] to use the fallback tool prompt)" : "")
                + (capability == .vision ? " (the request has images: name a vision-language model served by a remote engine, configured with capabilities: [chat, vision])" : "")
        case let .missingCapability(capability, nil):
            return "no configured model has the '\(capability.rawValue)' capability"
                + (capability == .vision ? " (the request has images: configure a remote vision-language model with capabilities: [chat, vision])" : "")
        }
    }
}
