import Gateway
import HTTPTypes

/// Decides how a chat request is answered before anything runs: resolves the model it names (a
/// configured model, an adapter-model `base:adapter`, plus the adapters of its `adapters` / `lora`
/// fields), routes it (a named model is forced, `auto` or none asks the router, which also considers the
/// adapter-models configured with a tier), lists the candidates to try in order, reads the constraints its
/// answers must satisfy (JSON mode) and computes its semantic-cache key. It reads the decoded body, the
/// headers and the adapters served now; nothing is generated, stored or recorded.
struct ChatPlanner: Sendable {
    /// Request header naming the device profile (`server`, `laptop`, `mobile`); the body field
    /// `device_profile` does the same.
    static let deviceProfileHeader = HTTPField.Name("X-GroupQwen-Device")!

    let state: ServerState

    /// The plan of one request. Throws a 404 for an unknown model or adapter (or the experts model while no
    /// experts are deployed), a 400 naming `device_profile` for an unknown device profile, and the 400s of
    /// `ModelTarget.resolve`.
    ///
    /// Expert routing (`ChatPlanner+Experts`): the experts model answers with the routed expert's candidate (or the
    /// release's base model for a none route); `auto` with a live release tries the routed expert first.
    func plan(_ input: ChatInput, headers: HTTPFields) async throws -> ChatPlan {
        let catalog = await state.adapters.catalog
        let tools = try ChatTools(input.body.toolFields, grammars: state.grammars)
        let mode = try await expertMode(input)
        let target: ModelTarget?, routing: RoutingPlan
        var expert: ExpertPlan?
        if case let .named(live) = mode {
            expert = try await routeExpert(input, live: live)
            let chosen = expert?.candidate ?? AnswerCandidate(model: live.base, remote: nil)
            target = ModelTarget(served: chosen.model, base: live.base, adapters: chosen.adapters)
            routing = try await routingPlan(input, headers: headers, target: target, catalog: catalog)
        } else {
            target = try ModelTarget.resolve(model: input.body.model, fields: input.body.adapterFields, state: state, catalog: catalog)
            routing = try await routingPlan(input, headers: headers, target: target, catalog: catalog)
            // auto: the experts take part when the device profile allows their base model's tier (not for tool calls:
            // experts are trained to answer in text, nor for in-process requests that need a capability of their own).
            if case let .automatic(live) = mode, tools == nil, !input.body.hasImages, input.requiredCapabilities.isEmpty,
               live.base.tier <= state.configuration.routing.profiles[routing.profile] ?? .max {
                expert = try await routeExpert(input, live: live)
            }
        }
        var candidates = routing.candidates.map { candidate($0, target: target, catalog: catalog) }
        if let chosen = expert?.candidate {
            // Named: the expert is the forced target (with its system prompt); auto: it answers first.
            if case .named = mode { candidates = [chosen] } else { candidates.insert(chosen, at: 0) }
        }
        return ChatPlan(
            routing: routing,
            candidates: candidates,
            fallbacks: routing.fallbacks.map { candidate($0, target: target, catalog: catalog) },
            constraints: try ChatConstraints(input.body, grammars: state.grammars),
            tools: tools,
            judge: ConfidenceJudge(state.configuration.routing, perModel: routing.minConfidence),
            cacheKey: cacheKey(input, headers: headers, routing: routing, adapters: target?.adapters ?? .none,
                              routable: catalog.routable, expert: expert, routingVector: routing.queryVector),
            expert: expert?.choice)
    }

    /// Routes the request: a named model (`target`) is forced, none asks the router, which chooses among the
    /// configured models and the adapter-models with a tier. An unknown device profile is a 400 naming
    /// `device_profile`. When the learned router applies, the last user turn is embedded for it (by the semantic
    /// cache's 8-bit MiniLM, so the cache key reuses the vector).
    func routingPlan(_ input: ChatInput, headers: HTTPFields, target: ModelTarget?, catalog: AdapterCatalog) async throws -> RoutingPlan {
        let body = input.body
        var models = state.configuration.models
        for adapter in catalog.routable {
            if let base = models.first(where: { $0.id == adapter.baseModel }) { models.append(adapter.servedModel(base: base)) }
        }
        if let target, !models.contains(where: { $0.id == target.served.id }) { models.append(target.served) }
        let router = models.count == state.router.models.count ? state.router
            : ModelRouter(configuration: state.configuration.routing, models: models)
        var routingRequest = RoutingRequest(
            messages: body.messages.map { (role: $0.role, text: $0.content) },
            maxTokens: input.parameters.requestedMaxTokens,
            profile: headers[Self.deviceProfileHeader] ?? body.deviceProfile)
        routingRequest.language = await promptLanguage(body)
        var queryText: String?
        if target == nil, router.learnedRouter != nil {
            let text = body.messages.last { $0.role == "user" }?.content ?? body.messages.last?.content ?? ""
            routingRequest.embedding = try await state.cacheKeys.embed([text]).vectors.first
            queryText = text
        }
        do {
            // A request that may call tools goes only to models that can; one with images only to vision models; an
            // in-process one (a translation) only to models with what it requires.
            var needed: Set<ModelCapability> = [body.toolFields.mayCall ? .tools : .chat]
            if body.hasImages { needed.insert(.vision) }
            needed.formUnion(input.requiredCapabilities)
            var plan = try router.plan(routingRequest, forcedModel: target?.served.id, capabilities: needed)
            if let queryText, queryText == CacheContext.query(routingRequest.messages) { plan.queryVector = routingRequest.embedding }
            return plan
        } catch {
            switch error {
            case .unknownProfile:
                throw APIError.invalidParameter(error.description, param: "device_profile")
            case .noModel, .invalidConfiguration, .missingCapability:
                throw APIError.invalidParameter(error.description, param: "model")
            }
        }
    }

    /// The candidate for a model the router listed: the named target itself, a configured model, or an
    /// adapter-model chosen by routing (its adapter at its configured scale).
    private func candidate(_ model: ServedModel, target: ModelTarget?, catalog: AdapterCatalog) -> AnswerCandidate {
        if let target, target.served.id == model.id {
            return AnswerCandidate(model: target.served, remote: state.remotes[target.base.id], base: target.base, adapters: target.adapters)
        }
        if let adapter = catalog.adapter(modelID: model.id),
           let base = state.configuration.models.first(where: { $0.id == adapter.baseModel }),
           !state.configuration.models.contains(where: { $0.id == model.id }) {
            return AnswerCandidate(model: model, remote: nil, base: base, adapters: AdapterSelection(adapter))
        }
        return AnswerCandidate(model: model, remote: state.remotes[model.id])
    }
}
