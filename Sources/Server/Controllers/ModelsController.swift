import Gateway
import Hummingbird

/// `GET /v1/models` and `GET /v1/models/{id}`.
struct ModelsController: Sendable {
    let state: ServerState

    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        Self.json(ModelList(data: await objects()))
    }

    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let all = await objects()
        guard let object = all.first(where: { $0.id == id }) else {
            throw APIError.modelNotFound(id, available: all.map(\.id))
        }
        return Self.json(object)
    }

    /// Every configured model in configuration order: local ones with their pool state, remote ones as
    /// `remote` (or `remote_down` while their circuit is open); then the embedding model.
    private func objects() async -> [ModelObject] {
        let statuses = await state.pool.statuses()
        let chat = state.configuration.models.compactMap { served -> ModelObject? in
            if let backend = state.remotes[served.id] {
                return ModelObject(remote: served, up: backend.breaker.state() != .open, created: state.startedAt)
            }
            return statuses.first { $0.served.id == served.id }.map { ModelObject($0, created: state.startedAt) }
        }
        return chat + [ModelObject(embeddingModel: EmbeddingProvider.modelID, loaded: await state.embeddings.isLoaded,
                                   created: state.startedAt)]
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: JSONCoding.encode(value)))
    }
}
