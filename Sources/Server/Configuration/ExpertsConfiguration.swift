import Gateway

/// The `experts:` section: the mixture of LoRA experts (`ExpertService`). The expert registry (every version and
/// deployment) lives in the fine-tuning database, `training.path`.
///
/// ```yaml
/// experts:
///   enabled: true       # false: no expert routing; /v1/experts answers 404 experts_disabled
///   model_id: experts   # the model name that asks for expert routing (an expert answers as experts:ID)
/// ```
public struct ExpertsConfiguration: Sendable, Equatable {
    /// Serve the live expert release and `/v1/experts`.
    public var enabled: Bool
    /// The `model` of a chat request that asks for expert routing; also listed in `/v1/models` while a release is live.
    public var modelID: String

    public init(enabled: Bool = true, modelID: String = "experts") {
        self.enabled = enabled
        self.modelID = modelID
    }

    /// `model_id` (when enabled): a valid adapter-style id (letters, digits, `.`, `_`, `-`), not `auto`, not a
    /// configured model.
    func validate(models: [ServedModel]) throws(ServerConfigurationError) {
        guard enabled else { return }
        func fail(_ message: String) -> ServerConfigurationError { .invalid(key: "experts.model_id", message: message, line: nil) }
        if let problem = ServedAdapter.problem(withID: modelID) { throw fail(problem) }
        guard !ModelRouter.isAutomatic(modelID) else { throw fail("must not be 'auto' (that asks for tier routing)") }
        guard !models.contains(where: { $0.id == modelID }) else { throw fail("'\(modelID)' is also a configured model id") }
    }
}

extension ExpertsConfiguration: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled
        case modelID = "model_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ExpertsConfiguration()
        self.init(enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled,
                  modelID: try c.decodeIfPresent(String.self, forKey: .modelID) ?? defaults.modelID)
    }
}
