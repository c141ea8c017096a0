import Engine
import Foundation
import Gateway

/// One entry of `GET /v1/adapters` (and the answer of `POST /v1/adapters` and `GET /v1/adapters/{id}`).
struct AdapterObject: Encodable, Sendable {
    let id: String
    let object = "adapter"
    /// The base model id.
    let model: String
    /// The adapter-model id clients put in `model`: `base:adapter`.
    let servedAs: String
    /// The adapter id alone, when it names this adapter unambiguously as a model; nil otherwise.
    let alias: String?
    let path: String
    let format: String
    let scale: Double
    let tier: Int?
    let labels: [String]
    let description: String?
    let rank: Int
    let ranks: [Int]
    let targets: [String]
    let alpha: Float?
    let parameters: Int
    let bytes: Int
    /// `configuration` or `api`.
    let source: String
    /// The index llama.cpp's per-request `lora` field uses (configured adapters only).
    let loraID: Int?
    let created: Int
    let loadMs: Int
    let fingerprint: String

    enum CodingKeys: String, CodingKey {
        case id, object, model, alias, path, format, scale, tier, labels, description, rank, ranks, targets, alpha
        case parameters, bytes, source, created, fingerprint
        case servedAs = "served_as", loraID = "lora_id", loadMs = "load_ms"
    }

    init(_ registered: RegisteredAdapter, catalog: AdapterCatalog, modelIDs: [String]) {
        let adapter = registered.adapter
        id = registered.id
        model = registered.baseModel
        servedAs = registered.modelID
        alias = catalog.alias(of: registered, modelIDs: modelIDs)
        path = registered.served.path
        format = adapter.format.rawValue
        scale = registered.served.scale
        tier = registered.served.tier
        labels = registered.served.labels
        description = registered.served.description
        rank = adapter.rank
        ranks = adapter.ranks
        targets = adapter.targets.map(\.shortName)
        alpha = adapter.alpha
        parameters = adapter.parameterCount
        bytes = adapter.byteCount
        source = registered.origin.label
        if case let .configuration(index) = registered.origin { loraID = index } else { loraID = nil }
        created = Int(registered.loadedAt.timeIntervalSince1970)
        let (seconds, attoseconds) = registered.loadDuration.components
        loadMs = Int(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        fingerprint = registered.fingerprint
    }

    /// Every key is written, `null` included, so clients see the same shape for every adapter.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(model, forKey: .model)
        try c.encode(servedAs, forKey: .servedAs)
        try c.encode(alias, forKey: .alias)
        try c.encode(path, forKey: .path)
        try c.encode(format, forKey: .format)
        try c.encode(scale, forKey: .scale)
        try c.encode(tier, forKey: .tier)
        try c.encode(labels, forKey: .labels)
        try c.encode(description, forKey: .description)
        try c.encode(rank, forKey: .rank)
        try c.encode(ranks, forKey: .ranks)
        try c.encode(targets, forKey: .targets)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(source, forKey: .source)
        try c.encode(loraID, forKey: .loraID)
        try c.encode(created, forKey: .created)
        try c.encode(loadMs, forKey: .loadMs)
        try c.encode(fingerprint, forKey: .fingerprint)
    }
}

/// `GET /v1/adapters`.
struct AdapterList: Encodable, Sendable {
    let object = "list"
    let data: [AdapterObject]

    enum CodingKeys: String, CodingKey { case object, data }
}

/// `DELETE /v1/adapters/{id}`.
struct DeletedAdapter: Encodable, Sendable {
    let id: String
    let object = "adapter"
    let model: String
    let deleted = true

    enum CodingKeys: String, CodingKey { case id, object, model, deleted }
}

/// The body of `POST /v1/adapters`.
struct AdapterCreateRequest: Decodable, Sendable {
    var id: String
    var path: String
    /// The base model id.
    var model: String
    var scale: Double?
    var tier: Int?
    var labels: [String]?
    var description: String?
}
