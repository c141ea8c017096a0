import Gateway

/// One entry of `GET /v1/models`: OpenAI's fields plus GroupQwen's `state`, `tier`, `labels` and
/// `context_length`.
struct ModelObject: Encodable, Sendable {
    let id: String
    let object = "model"
    let created: Int
    let ownedBy = "groupqwen"
    let state: String
    let tier: Int
    let labels: [String]
    let contextLength: Int?

    enum CodingKeys: String, CodingKey {
        case id, object, created, state, tier, labels
        case ownedBy = "owned_by", contextLength = "context_length"
    }

    init(_ status: ModelStatus, created: Int) {
        id = status.served.id
        self.created = created
        state = status.state.rawValue
        tier = status.served.tier
        labels = status.served.labels
        contextLength = status.contextLength ?? status.served.contextLength
    }

    init(embeddingModel id: String, loaded: Bool, created: Int) {
        self.id = id
        self.created = created
        state = loaded ? "loaded" : "available"
        tier = 0
        labels = ["embedding"]
        contextLength = 256
    }

    init(remote served: ServedModel, up: Bool, created: Int) {
        id = served.id
        self.created = created
        state = up ? "remote" : "remote_down"
        tier = served.tier
        labels = served.labels
        contextLength = served.contextLength
    }
}

/// `GET /v1/models`.
struct ModelList: Encodable, Sendable {
    let object = "list"
    let data: [ModelObject]

    enum CodingKeys: String, CodingKey { case object, data }
}
