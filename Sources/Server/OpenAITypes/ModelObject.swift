import Engine
import Gateway

/// One entry of `GET /v1/models`: OpenAI's fields plus GroupQwen's `state`, `tier`, `labels`, `capabilities`
/// (`chat`, `completion`, `embeddings`) and `context_length`; an adapter-model (`base:adapter`) adds `parent` (the base id), `rank`, `targets`,
/// `alpha`, `scale` and `description`; the experts model adds `parent` and `experts` (the live experts' ids).
struct ModelObject: Encodable, Sendable {
    /// What an adapter-model adds.
    struct AdapterDetails: Sendable {
        let parent: String
        let rank: Int
        let targets: [String]
        let alpha: Float?
        let scale: Double
        let description: String?
    }

    let id: String
    let object = "model"
    let created: Int
    let ownedBy = "groupqwen"
    let state: String
    /// nil only for an adapter-model without a tier (it answers only when named).
    let tier: Int?
    let labels: [String]
    var capabilities: [String] = [ModelCapability.chat.rawValue]
    let contextLength: Int?
    let adapter: AdapterDetails?
    /// The experts model: its base model and the live experts (`parent`, `experts`).
    var experts: (parent: String, ids: [String])?

    enum CodingKeys: String, CodingKey {
        case id, object, created, state, tier, labels, capabilities
        case ownedBy = "owned_by", contextLength = "context_length"
        case parent, rank, targets, alpha, scale, description, experts
    }

    init(_ status: ModelStatus, created: Int) {
        id = status.served.id
        self.created = created
        state = status.state.rawValue
        tier = status.served.tier
        labels = status.served.labels
        capabilities = status.served.capabilities.sorted().map(\.rawValue)
        contextLength = status.contextLength ?? status.served.contextLength
        adapter = nil
    }

    init(embeddingModel id: String, loaded: Bool, created: Int) {
        self.id = id
        self.created = created
        state = loaded ? "loaded" : "available"
        tier = 0
        labels = ["embedding"]
        capabilities = ["embeddings"]
        contextLength = 256
        adapter = nil
    }

    init(remote served: ServedModel, up: Bool, created: Int) {
        id = served.id
        self.created = created
        state = up ? "remote" : "remote_down"
        tier = served.tier
        labels = served.labels
        capabilities = served.capabilities.sorted().map(\.rawValue)
        contextLength = served.contextLength
        adapter = nil
    }

    /// The experts model (`experts.model_id`) while a release is live: `state` `loaded` (its adapters are in memory;
    /// the base's entry tells whether the base is), the base's tier and context, `created` when it was deployed.
    init(experts live: LiveExperts, id: String, base: ModelStatus?) {
        self.id = id
        created = live.release.deployed
        state = "loaded"
        tier = live.base.tier
        labels = ["experts"]
        contextLength = base?.contextLength ?? live.base.contextLength
        adapter = nil
        experts = (parent: live.base.id, ids: live.release.experts.map(\.id))
    }

    /// An adapter-model. Its `state` is `loaded` (the adapter's weights are in memory whether or not the
    /// base model is; the base's own entry tells that); `created` is when the adapter was loaded.
    init(adapter registered: RegisteredAdapter, base: ModelStatus?) {
        id = registered.modelID
        created = Int(registered.loadedAt.timeIntervalSince1970)
        state = "loaded"
        tier = registered.served.tier
        labels = registered.served.labels
        if let base { capabilities = base.served.capabilities.sorted().map(\.rawValue) }
        contextLength = base?.contextLength ?? base?.served.contextLength
        adapter = AdapterDetails(parent: registered.baseModel, rank: registered.adapter.rank,
                                targets: registered.adapter.targets.map(\.shortName), alpha: registered.adapter.alpha,
                                scale: registered.served.scale, description: registered.served.description)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(ownedBy, forKey: .ownedBy)
        try c.encode(state, forKey: .state)
        try c.encode(tier, forKey: .tier)
        try c.encode(labels, forKey: .labels)
        try c.encode(capabilities, forKey: .capabilities)
        try c.encodeIfPresent(contextLength, forKey: .contextLength)
        if let adapter {
            try c.encode(adapter.parent, forKey: .parent)
            try c.encode(adapter.rank, forKey: .rank)
            try c.encode(adapter.targets, forKey: .targets)
            try c.encode(adapter.alpha, forKey: .alpha)
            try c.encode(adapter.scale, forKey: .scale)
            try c.encode(adapter.description, forKey: .description)
        }
        if let experts {
            try c.encode(experts.parent, forKey: .parent)
            try c.encode(experts.ids, forKey: .experts)
        }
    }
}

/// `GET /v1/models`.
struct ModelList: Encodable, Sendable {
    let object = "list"
    let data: [ModelObject]

    enum CodingKeys: String, CodingKey { case object, data }
}
