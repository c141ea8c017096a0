import Gateway

/// The model a request names, resolved against the configuration and the adapters served now: a
/// configured model, or an adapter-model (`base:adapter`, or the adapter id alone when unique), plus the
/// adapters its `adapters` / `lora` fields add on top.
struct ModelTarget: Sendable {
    /// Most adapters one request may apply.
    static let maxAdapters = 8

    /// The model as responses name it: the configured model, or the adapter-model `base:adapter`.
    let served: ServedModel
    /// The configured model that runs.
    let base: ServedModel
    /// Every adapter applied, the named adapter-model's first.
    let adapters: AdapterSelection

    /// Resolves `model` (nil when it is absent or `auto`) and the adapter fields.
    ///
    /// - Throws: 404 `model_not_found` for a model name that is neither a configured model nor a served
    ///   adapter (or an adapter id that several models serve), listing what exists; 404 `adapter_not_found`
    ///   for an unknown id in `adapters` or index in `lora`; 400 for an adapter of another model, adapters
    ///   with `auto` or on a remote model, too many adapters, or a scale that is not a finite number.
    static func resolve(model name: String?, fields: AdapterFields, state: ServerState,
                        catalog: AdapterCatalog) throws(APIError) -> ModelTarget? {
        let models = state.configuration.models
        guard let name, !ModelRouter.isAutomatic(name) else {
            guard fields.isEmpty else {
                throw .invalidParameter("'\(fields.param)' apply to a named model: set 'model' to their base model (routing with "
                                        + "'auto' uses only adapters configured with a tier)", param: fields.param)
            }
            return nil
        }
        let served: ServedModel, base: ServedModel
        var entries: [AdapterSelection.Entry] = []
        if let model = models.first(where: { $0.id == name }) {
            (served, base) = (model, model)
        } else {
            switch catalog.match(name, modelIDs: models.map(\.id)) {
            case let .adapter(adapter):
                guard let model = models.first(where: { $0.id == adapter.baseModel }) else {
                    throw .modelNotFound(name, available: availableModels(models, catalog))
                }
                (served, base) = (adapter.servedModel(base: model), model)
                entries = AdapterSelection(adapter).entries
            case let .ambiguous(adapters):
                throw APIError(status: .notFound,
                               message: "the model '\(name)' is ambiguous: several models serve an adapter of that id; name one of: "
                                   + adapters.map(\.modelID).joined(separator: ", "),
                               type: "invalid_request_error", param: "model", code: "model_not_found")
            case .none:
                throw .modelNotFound(name, available: availableModels(models, catalog))
            }
        }
        guard !fields.isEmpty else { return ModelTarget(served: served, base: base, adapters: AdapterSelection(entries)) }
        guard base.remote == nil else {
            throw .invalidParameter("the model '\(base.id)' is served by a remote backend; '\(fields.param)' apply only to "
                                    + "models this server runs", param: fields.param)
        }
        let own = catalog.adapters(of: base.id)
        func notFound(_ what: String, param: String) -> APIError {
            let known = own.isEmpty ? "it has none" : "its adapters: " + own.map(\.id).joined(separator: ", ")
            return APIError(status: .notFound, message: "\(what) is not served on model '\(base.id)'; \(known)",
                            type: "invalid_request_error", param: param, code: "adapter_not_found")
        }
        func scale(_ value: Double?, of adapter: RegisteredAdapter, param: String) throws(APIError) -> Float {
            guard let value else { return Float(adapter.served.scale) }
            if let problem = ServedAdapter.problem(withScale: value) { throw .invalidParameter("'\(param)' \(problem)", param: param) }
            return Float(value)
        }
        for (i, field) in (fields.adapters ?? []).enumerated() {
            let param = "adapters[\(i)].id"
            let qualified = field.id.contains(ServedAdapter.separator)
            let adapter: RegisteredAdapter
            if let found = qualified ? catalog.adapter(modelID: field.id) : catalog.adapter(base: base.id, id: field.id) {
                adapter = found
            } else if let other = catalog.adapters.first(where: { $0.id == field.id }) {
                throw mismatch(other, base: base, param: param)
            } else {
                throw notFound("the adapter '\(field.id)'", param: param)
            }
            guard adapter.baseModel == base.id else { throw mismatch(adapter, base: base, param: param) }
            entries.append(.init(adapter: adapter, scale: try scale(field.scale, of: adapter, param: "adapters[\(i)].scale")))
        }
        for (i, field) in (fields.lora ?? []).enumerated() {
            let param = "lora[\(i)].id"
            guard base.adapters.indices.contains(field.id) else {
                let listed = base.adapters.enumerated().map { "\($0.offset): \($0.element.id)" }.joined(separator: ", ")
                throw APIError(status: .notFound,
                               message: "'lora' id \(field.id) is not an index of the adapters configured for model '\(base.id)' "
                                   + (listed.isEmpty ? "(it has none)" : "(\(listed))"),
                               type: "invalid_request_error", param: param, code: "adapter_not_found")
            }
            let id = base.adapters[field.id].id
            guard let adapter = catalog.adapter(base: base.id, id: id) else {
                throw notFound("the adapter '\(id)' (lora id \(field.id)) has been removed and", param: param)
            }
            entries.append(.init(adapter: adapter, scale: try scale(field.scale, of: adapter, param: "lora[\(i)].scale")))
        }
        let selection = AdapterSelection(entries)
        guard selection.entries.count <= maxAdapters else {
            throw .invalidParameter("at most \(maxAdapters) different adapters may be applied to one request (got \(selection.entries.count))",
                                    param: fields.param)
        }
        return ModelTarget(served: served, base: base, adapters: selection)
    }

    /// 400: `adapter` belongs to another model than `base`.
    private static func mismatch(_ adapter: RegisteredAdapter, base: ServedModel, param: String) -> APIError {
        .invalidParameter("the adapter '\(adapter.id)' is for model '\(adapter.baseModel)', not '\(base.id)'; an adapter applies "
                          + "only to the model it was loaded for", param: param, code: "adapter_model_mismatch")
    }

    /// Every name `model` may take: configured models, then adapter-models.
    static func availableModels(_ models: [ServedModel], _ catalog: AdapterCatalog) -> [String] {
        models.map(\.id) + catalog.adapters.map(\.modelID)
    }
}
