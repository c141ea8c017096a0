/// One model the gateway offers, as configured.
public struct ServedModel: Sendable, Hashable, Codable {
    /// The name clients put in `model`.
    public var id: String
    /// A known model id (`smollm2-135m`, …) or a path to a `.gguf` file.
    public var source: String
    /// Most tokens one request may hold (prompt + completion); `nil` uses the model's own training
    /// context, capped at 4096.
    public var contextLength: Int?
    /// Cost tier used by routing: lower is cheaper.
    public var tier: Int
    /// Free-form labels (`code`, `chat`, `multilingual`, …).
    public var labels: [String]
    /// Sequences decoded together in one forward pass.
    public var maxConcurrent: Int
    /// Requests allowed to wait once all slots are busy; `nil` uses the pool's `maxQueuedPerModel`.
    public var maxQueued: Int?
    /// Load at startup instead of on first use.
    public var preload: Bool
    /// When set, requests go to this OpenAI-compatible server instead of a local engine (`source` unused).
    public var remote: RemoteEndpoint?
    /// LoRA adapters served on top of this model (local models only), loaded at startup; each is also a
    /// model of its own, `id:adapter-id`. The order matters: llama.cpp's per-request `lora` field indexes it.
    public var adapters: [ServedAdapter]
    /// What it may be asked to do: routing sends chat only to models with ``ModelCapability/chat``. Configured
    /// with `capabilities:`; otherwise the known model's, or read from the GGUF file (``ModelCapability/detect(path:)``).
    public var capabilities: Set<ModelCapability>
    /// A smaller model of the same tokenizer (a known model id or a `.gguf` path) that proposes tokens for speculative
    /// decoding when a request generates alone (local models only).
    public var draft: String?
    /// Most tokens the draft proposes per round (1...3; `nil`: 3).
    public var draftTokens: Int?
    /// The languages it answers well (ISO 639-1 codes, `languages:`); nil: any. Routing (`auto`) does not send a prompt
    /// detected to be in another language to it while a configured model that speaks it can take the request.
    public var languages: Set<String>?

    public init(id: String, source: String, contextLength: Int? = nil, tier: Int = 1, labels: [String] = [],
                maxConcurrent: Int = 8, maxQueued: Int? = nil, preload: Bool = false, remote: RemoteEndpoint? = nil,
                adapters: [ServedAdapter] = [], capabilities: Set<ModelCapability> = [.chat, .completion, .translation],
                draft: String? = nil, draftTokens: Int? = nil, languages: Set<String>? = nil) {
        self.id = id
        self.source = source
        self.contextLength = contextLength
        self.tier = tier
        self.labels = labels
        self.maxConcurrent = maxConcurrent
        self.maxQueued = maxQueued
        self.preload = preload
        self.remote = remote
        self.adapters = adapters
        self.capabilities = capabilities
        self.draft = draft
        self.draftTokens = draftTokens
        self.languages = languages
    }

    /// Whether it answers prompts in `language` (an ISO code; nil: unknown, which every model takes).
    public func speaks(_ language: String?) -> Bool {
        guard let language, let languages else { return true }
        return languages.contains(language)
    }

    /// Whether it may be asked to do `capability`.
    public func can(_ capability: ModelCapability) -> Bool { capabilities.contains(capability) }

    /// The models served when no configuration file is given: three chat tiers of growing size and cost
    /// (SmolLM2 135M, Qwen2.5-Coder 0.5B and 1.5B Instruct) and Gemma 3 270M, a base model without a chat
    /// template, for text completions only (routing never sends it a chat). SmolLM2 was trained on English only, so
    /// it neither takes prompts in other languages when routing has a choice nor translates; the Qwen models translate.
    public static let defaults: [ServedModel] = [
        ServedModel(id: "smollm2-135m", source: "smollm2-135m", tier: 0, labels: ["chat", "small"], preload: true,
                    capabilities: [.chat, .completion], languages: ["en"]),
        ServedModel(id: "qwen2.5-coder-0.5b", source: "qwen2.5-coder-0.5b", tier: 1, labels: ["chat", "code"],
                    capabilities: [.chat, .completion, .tools, .translation]),
        ServedModel(id: "qwen2.5-coder-1.5b", source: "qwen2.5-coder-1.5b", tier: 2, labels: ["chat", "code"],
                    capabilities: [.chat, .completion, .tools, .translation]),
        ServedModel(id: "gemma3-270m", source: "gemma3-270m", tier: 1, labels: ["completion", "multilingual"],
                    capabilities: [.completion]),
    ]
}
