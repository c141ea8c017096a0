import Foundation

/// One version of one expert: a LoRA adapter on a base model, what it is for, and how it measured when it was
/// built. `ExpertRegistry` numbers the versions of an id (1, 2, …) and keeps every one, so a deployment can go
/// back to an earlier version (`groupqwen experts rollback ID`).
public struct ExpertRecord: Sendable, Equatable, Codable {
    /// Letters, digits, `.`, `_`, `-` (as an adapter id, see `ServedAdapter.problem(withID:)`).
    public var id: String
    /// 1, 2, …: set by `ExpertRegistry.deploy`; 0 in a release that was not deployed yet.
    public var version: Int
    /// The configured model the adapter applies to.
    public var baseModel: String
    /// What the expert knows (shown in `/v1/experts` and the console).
    public var description: String
    /// The adapter: a llama.cpp GGUF LoRA file or a PEFT folder.
    public var adapterPath: String
    /// SHA-256 of the adapter's file(s), as `AdapterRegistry` computes it: an unchanged adapter keeps its version.
    public var adapterFingerprint: String
    /// The system prompt the expert was trained with, added to requests routed to it that have none of their own.
    public var systemPrompt: String?
    /// A few training prompts, for people (the router keeps its own embeddings).
    public var examplePrompts: [String]
    /// How the expert measured when it was built.
    public var metrics: ExpertMetrics
    /// Unix time the version was registered (set by the registry).
    public var created: Int

    public init(id: String, version: Int = 0, baseModel: String, description: String, adapterPath: String,
                adapterFingerprint: String, systemPrompt: String? = nil, examplePrompts: [String] = [],
                metrics: ExpertMetrics = ExpertMetrics(), created: Int = 0) {
        self.id = id
        self.version = version
        self.baseModel = baseModel
        self.description = description
        self.adapterPath = adapterPath
        self.adapterFingerprint = adapterFingerprint
        self.systemPrompt = systemPrompt
        self.examplePrompts = examplePrompts
        self.metrics = metrics
        self.created = created
    }

    private enum CodingKeys: String, CodingKey {
        case id, version, baseModel = "base_model", description, adapterPath = "adapter_path"
        case adapterFingerprint = "adapter_fingerprint", systemPrompt = "system_prompt", examplePrompts = "example_prompts"
        case metrics, created
    }
}

/// An expert's numbers from `groupqwen experts build` (every field optional: a hand-registered expert has none).
public struct ExpertMetrics: Sendable, Equatable, Codable {
    /// Training and validation examples after curation and split.
    public var trainExamples: Int?
    public var validExamples: Int?
    /// Held-out questions with an expected answer (never trained on).
    public var heldOutQuestions: Int?
    /// Wall-clock seconds of training.
    public var trainingSeconds: Double?
    /// Mean loss per assistant token on the validation set: the base model, then with the adapter.
    public var validLossBase: Double?
    public var validLossExpert: Double?
    /// Share of held-out questions whose answer contains the expected text: base model, the expert itself
    /// (always chosen: the oracle), and the routed system (the router picks, none answers with the base).
    public var heldOutScoreBase: Double?
    public var heldOutScoreExpert: Double?
    public var heldOutScoreRouted: Double?
    /// The router on held-out prompts: of those routed here, the share that belong here; of this expert's held-out
    /// prompts, the share routed here.
    public var routingPrecision: Double?
    public var routingRecall: Double?

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case trainExamples = "train_examples", validExamples = "valid_examples", heldOutQuestions = "held_out_questions"
        case trainingSeconds = "training_seconds", validLossBase = "valid_loss_base", validLossExpert = "valid_loss_expert"
        case heldOutScoreBase = "held_out_score_base", heldOutScoreExpert = "held_out_score_expert"
        case heldOutScoreRouted = "held_out_score_routed"
        case routingPrecision = "routing_precision", routingRecall = "routing_recall"
    }
}
