/// A page of a list (`GET /v1/files`, `/v1/fine_tuning/jobs`, `…/events`, `…/checkpoints`): OpenAI's cursor
/// page, `{object: "list", data, has_more, first_id, last_id}`.
struct ListPage<Item: Encodable & Sendable>: Encodable, Sendable {
    let data: [Item]
    let hasMore: Bool
    let firstID: String?
    let lastID: String?

    init(data: [Item], hasMore: Bool, id: (Item) -> String) {
        self.data = data
        self.hasMore = hasMore
        firstID = data.first.map(id)
        lastID = data.last.map(id)
    }

    enum CodingKeys: String, CodingKey {
        case object, data
        case hasMore = "has_more", firstID = "first_id", lastID = "last_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("list", forKey: .object)
        try c.encode(data, forKey: .data)
        try c.encode(hasMore, forKey: .hasMore)
        try c.encode(firstID, forKey: .firstID)
        try c.encode(lastID, forKey: .lastID)
    }
}
