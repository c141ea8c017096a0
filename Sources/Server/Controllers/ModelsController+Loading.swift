import Gateway
import Hummingbird

extension ModelsController {
    /// `POST /v1/models/{id}/load`: loads a local model now (as its first request would) and answers its entry.
    func load(_ request: Request, context: some RequestContext) async throws -> Response {
        let served = try localModel(context)
        _ = try await state.pool.model(served.id)
        return try await entry(served.id)
    }

    /// `POST /v1/models/{id}/unload`: frees a local model's memory; its running requests finish first, and the
    /// next request loads it again.
    func unload(_ request: Request, context: some RequestContext) async throws -> Response {
        let served = try localModel(context)
        await state.pool.unload(served.id)
        return try await entry(served.id)
    }

    /// The configured local model named by the `id` path parameter: 404 for an unknown id, 400 for a remote one.
    private func localModel(_ context: some RequestContext) throws -> ServedModel {
        let id = context.parameters.get("id") ?? ""
        guard let served = state.configuration.models.first(where: { $0.id == id }) else {
            throw APIError.modelNotFound(id, available: state.configuration.models.filter { $0.remote == nil }.map(\.id))
        }
        guard served.remote == nil else {
            throw APIError.invalidParameter("'\(id)' is served by a remote backend; only models this server runs can be loaded or unloaded",
                                            param: "id", code: "remote_model")
        }
        return served
    }

    private func entry(_ id: String) async throws -> Response {
        guard let status = await state.pool.statuses().first(where: { $0.served.id == id }) else {
            throw APIError.modelNotFound(id, available: await state.pool.modelIDs)
        }
        return Self.json(ModelObject(status, created: state.startedAt))
    }
}
