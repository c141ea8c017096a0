import Gateway
import Hummingbird

/// `POST /v1/adapters`, `GET /v1/adapters`, `GET /v1/adapters/{id}` and `DELETE /v1/adapters/{id}`: the
/// LoRA adapters served, managed while the server runs. Adapters added here are not written to the
/// configuration file; they are gone after a restart.
///
/// `{id}` is the adapter-model id `base:adapter`, or the adapter id alone when no other model or adapter
/// has it.
struct AdaptersController: Sendable {
    let state: ServerState

    /// Loads the file, checks it against the base model's header (on a detached task: running generations
    /// go on), then serves it. 400 naming `path` for a file that cannot be loaded or does not fit (the
    /// loader's message), 404 for an unknown base model, 409 when the base already has an adapter of that id.
    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(AdapterCreateRequest.self, limit: state.configuration.limits.maxBodyBytes)
        guard !body.path.isEmpty else { throw APIError.invalidParameter("'path' must not be empty", param: "path") }
        guard let base = state.configuration.models.first(where: { $0.id == body.model }) else {
            throw APIError.modelNotFound(body.model, available: state.configuration.models.map(\.id))
        }
        let served = ServedAdapter(id: body.id, path: body.path, scale: body.scale ?? 1, tier: body.tier,
                                   labels: body.labels ?? [], description: body.description)
        let modelID = ServedAdapter.modelID(base: base.id, adapter: body.id)
        if state.configuration.models.contains(where: { $0.id == modelID }) {
            throw APIError(status: .conflict, message: "'\(modelID)' is already the id of a configured model; choose another adapter id",
                           type: "invalid_request_error", param: "id", code: "adapter_exists")
        }
        let registered: RegisteredAdapter
        do {
            registered = try await state.adapters.add(served, to: base, pool: state.pool)
        } catch {
            switch error {
            case .invalidAdapter, .baseUnavailable: state.metrics.recordAdapterLoadFailure(model: base.id)
            default: break
            }
            context.logger.info("adapter not added", metadata: ["adapter": .string(body.id), "model": .string(base.id),
                                                                "error": .string(error.description)])
            throw error
        }
        context.logger.info("adapter added", metadata: ["adapter": .string(registered.modelID),
                                                        "load": .string("\(registered.loadDuration)")])
        return ModelsController.json(try await object(registered))
    }

    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let catalog = await state.adapters.catalog
        let modelIDs = state.configuration.models.map(\.id)
        return ModelsController.json(AdapterList(data: catalog.adapters.map { AdapterObject($0, catalog: catalog, modelIDs: modelIDs) }))
    }

    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let catalog = await state.adapters.catalog
        let modelIDs = state.configuration.models.map(\.id)
        return ModelsController.json(AdapterObject(try find(context, in: catalog), catalog: catalog, modelIDs: modelIDs))
    }

    /// Stops serving the adapter: new requests naming it get 404; generations already using it finish
    /// normally (they hold their own reference to its weights).
    func delete(_ request: Request, context: some RequestContext) async throws -> Response {
        let adapter = try find(context, in: await state.adapters.catalog)
        guard let removed = await state.adapters.remove(modelID: adapter.modelID) else {
            throw APIError(status: .notFound, message: "the adapter '\(adapter.modelID)' was removed meanwhile",
                           type: "invalid_request_error", param: "id", code: "adapter_not_found")
        }
        context.logger.info("adapter removed", metadata: ["adapter": .string(removed.modelID)])
        return ModelsController.json(DeletedAdapter(id: removed.id, model: removed.baseModel))
    }

    /// The adapter `{id}` names; 404 listing the adapters otherwise.
    private func find(_ context: some RequestContext, in catalog: AdapterCatalog) throws -> RegisteredAdapter {
        let id = context.parameters.get("id") ?? ""
        switch catalog.match(id, modelIDs: state.configuration.models.map(\.id)) {
        case let .adapter(adapter):
            return adapter
        case let .ambiguous(adapters):
            throw APIError(status: .notFound,
                           message: "the adapter id '\(id)' is ambiguous; name one of: \(adapters.map(\.modelID).joined(separator: ", "))",
                           type: "invalid_request_error", param: "id", code: "adapter_not_found")
        case .none:
            let known = catalog.adapters.map(\.modelID)
            throw APIError(status: .notFound,
                           message: "the adapter '\(id)' does not exist; adapters: \(known.isEmpty ? "none" : known.joined(separator: ", "))",
                           type: "invalid_request_error", param: "id", code: "adapter_not_found")
        }
    }

    private func object(_ registered: RegisteredAdapter) async throws -> AdapterObject {
        AdapterObject(registered, catalog: await state.adapters.catalog, modelIDs: state.configuration.models.map(\.id))
    }
}
