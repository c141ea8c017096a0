import Gateway
import Hummingbird

/// `GET /v1/models` and `GET /v1/models/{id}`.
struct ModelsController: Sendable {
    let state: ServerState

    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        Self.json(await modelList())
    }

    /// What `GET /v1/models` lists (also the MCP server's `list_models` tool and model-list resource).
    func modelList() async -> ModelList {
        ModelList(data: await objects(state.adapters.catalog))
    }

    /// One model by id; an adapter-model also by its adapter id alone when that is unique.
    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let catalog = await state.adapters.catalog
        let all = await objects(catalog)
        if let object = all.first(where: { $0.id == id }) { return Self.json(object) }
        if case let .adapter(adapter) = catalog.match(id, modelIDs: state.configuration.models.map(\.id)),
           let object = all.first(where: { $0.id == adapter.modelID }) {
            return Self.json(object)
        }
        throw APIError.modelNotFound(id, available: all.map(\.id))
    }

    /// Every configured model in configuration order: local ones with their pool state, each followed by
    /// its adapter-models (`base:adapter`), remote ones as `remote` (or `remote_down` while their circuit is
    /// open); then the experts model while a release is live; then the embedding model.
    private func objects(_ catalog: AdapterCatalog) async -> [ModelObject] {
        let statuses = await state.pool.statuses()
        let chat = state.configuration.models.flatMap { served -> [ModelObject] in
            if let backend = state.remotes[served.id] {
                return [ModelObject(remote: served, up: backend.breaker.state() != .open, created: state.startedAt)]
            }
            let status = statuses.first { $0.served.id == served.id }
            guard let status else { return [] }
            return [ModelObject(status, created: state.startedAt)]
                + catalog.adapters(of: served.id).map { ModelObject(adapter: $0, base: status) }
        }
        var experts: [ModelObject] = []
        if let service = state.experts, let live = await service.live {
            experts.append(ModelObject(experts: live, id: service.modelID, base: statuses.first { $0.served.id == live.base.id }))
        }
        return chat + experts + [ModelObject(embeddingModel: EmbeddingProvider.modelID, loaded: await state.embeddings.isLoaded,
                                   created: state.startedAt)]
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: JSONCoding.encode(value)))
    }
}
