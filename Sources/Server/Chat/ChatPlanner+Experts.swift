import Gateway

extension ChatPlanner {
    /// How expert routing applies to one request.
    enum ExpertMode: Sendable {
        /// Not at all: experts are disabled, nothing is live and the request did not name the experts model, or it
        /// named another model.
        case off
        /// `model` is the experts model (`experts.model_id`): the routed expert answers, or the base model.
        case named(LiveExperts)
        /// `model` is `auto` or absent while a release is live: the routed expert answers first, the tier routing's
        /// candidates are its escalations.
        case automatic(LiveExperts)

        var live: LiveExperts? {
            switch self {
            case .off: nil
            case let .named(live), let .automatic(live): live
            }
        }
    }

    /// What expert routing added to a plan: the decision, the candidate of the chosen expert (nil: none) and the
    /// semantic-cache query's vector computed on the way (nil when it was not needed).
    struct ExpertPlan: Sendable {
        let choice: ExpertChoice
        let candidate: AnswerCandidate?
        let queryVector: [Float]?
    }

    /// The request's mode. Naming the experts model while nothing is live is a 404 `model_not_found`; adapter fields
    /// with it are a 400 (each expert brings its own adapter).
    func expertMode(_ input: ChatInput) async throws -> ExpertMode {
        guard let service = state.experts else { return .off }
        let name = input.body.model
        if name == service.modelID {
            guard let live = await service.live else {
                let why = await service.problem.map { " (\($0))" } ?? ""
                throw APIError(status: .notFound,
                               message: "the model '\(service.modelID)' is not available: no experts are deployed\(why); deploy a release "
                                   + "with POST /v1/experts/deploy",
                               type: "invalid_request_error", param: "model", code: "model_not_found")
            }
            let fields = input.body.adapterFields
            guard fields.isEmpty else {
                throw APIError.invalidParameter("'\(fields.param)' do not apply to the model '\(service.modelID)': the routed expert "
                                                + "brings its own adapter", param: fields.param)
            }
            return .named(live)
        }
        guard ModelRouter.isAutomatic(name), let live = await service.live else { return .off }
        return .automatic(live)
    }

    /// Routes the request among `live`'s experts. The semantic cache's query (the last user turn) is embedded once
    /// with the cache's model and handed to the encoder when it is the router's last user turn as well (it needed no
    /// trimming or truncation), so neither embeds it twice.
    func routeExpert(_ input: ChatInput, live: LiveExperts) async throws -> ExpertPlan {
        let started = ContinuousClock.now
        let messages = input.body.messages.map { (role: $0.role, text: $0.content) }
        let cacheQuery = CacheContext.query(messages)
        let query = ExpertQuery(messages: messages) ?? ExpertQuery(lastUser: cacheQuery)
        let reusable = query.lastUser == cacheQuery
        let vector = reusable || state.cache != nil ? try await state.cacheKeys.embed([cacheQuery]).vectors[0] : nil
        let embedding = try await live.encoder.embedding(for: query, lastUserEmbedding: reusable ? vector : nil)
        guard embedding.count == live.router.dimension else {
            throw APIError.internalError("the expert router takes \(live.router.dimension) values, the query embedding has \(embedding.count)")
        }
        let route = live.router.route(embedding: embedding)
        let record = route.expertID.flatMap(live.record)
        let adapter = route.expertID.flatMap { live.adapters[$0] }
        let choice = ExpertChoice(deployment: live.deployment, route: route, record: record, adapter: adapter,
                                  duration: .now - started)
        return ExpertPlan(choice: choice, candidate: expertCandidate(choice, live: live, input: input), queryVector: vector)
    }

    /// The chosen expert's candidate: its adapter at scale 1 on the release's base model, answering as `experts:ID`,
    /// with the expert's system prompt when the request has no system message of its own. Nil for a none route.
    private func expertCandidate(_ choice: ExpertChoice, live: LiveExperts, input: ChatInput) -> AnswerCandidate? {
        guard let adapter = choice.adapter, let record = choice.record else { return nil }
        let hasSystem = input.body.messages.contains { $0.role == "system" || $0.role == "developer" }
        let prompt = record.systemPrompt.flatMap { $0.isEmpty || hasSystem ? nil : $0 }
        return AnswerCandidate(model: adapter.servedModel(base: live.base), remote: nil, base: live.base,
                               adapters: AdapterSelection([.init(adapter: adapter, scale: 1)]), systemPrompt: prompt)
    }
}
