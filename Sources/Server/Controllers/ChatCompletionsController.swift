import Gateway
import HTTPTypes
import Hummingbird
import Logging

/// `POST /v1/chat/completions`, in three parts (`Sources/Server/Chat/`): `ChatPlanner` decides (routing,
/// the candidates to try, constraints, the cache key), each candidate's `ChatAnswerer` answers or
/// escalates, and `ChatRecorder` records (escalation log lines, metrics, semantic-cache inserts). With
/// `model` absent or `auto` the router picks the model; a configured id forces that model; the experts model
/// (`experts.model_id`) asks the expert router.
struct ChatCompletionsController: Sendable {
    let state: ServerState

    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let input = try await ChatInput(decoding: request, limit: state.configuration.limits.maxBodyBytes)
        if let user = input.parameters.user { context.logger.debug("chat completion", metadata: ["user": .string(user)]) }
        return try await respond(input, headers: request.headers, logger: context.logger, started: started)
    }

    /// Answers a decoded request (over HTTP, or in-process for the MCP server's `chat` tool).
    func respond(_ input: ChatInput, headers: HTTPFields, logger: Logger, started: ContinuousClock.Instant = .now) async throws -> Response {
        try await state.requireServing()
        let plan = try await ChatPlanner(state: state).plan(input, headers: headers)

        // Semantic cache: a stored answer to the same question in the same context ends the request here.
        let lookup = try await ChatCacheLookup(plan.cacheKey, state: state)
        let recorder = ChatRecorder(state: state, logger: logger, cacheSlot: lookup.slot)
        recorder.planned(plan)
        if case let .hit(hit) = lookup {
            return CachedChatReply(hit, plan: plan, parameters: input.parameters, started: started, state: state,
                                   recorder: recorder).response()
        }

        // Each candidate answers, or escalates to the next one; when every one is down, the fallbacks (lower tiers)
        // answer, marked degraded.
        var escalations: [Escalation] = []
        let chain = plan.candidates + plan.fallbacks
        for (index, candidate) in chain.enumerated() {
            let isFallback = index >= plan.candidates.count
            let nextCandidate = plan.candidates.dropFirst(index + 1).first?.id
            let next = nextCandidate ?? chain.dropFirst(index + 1).first?.id
            var turn = AnswerTurn(plan: plan, escalations: escalations, mayEscalate: nextCandidate != nil, cache: lookup.decision,
                                  started: started, recorder: recorder)
            turn.mayFailOver = next != nil
            turn.degraded = isFallback
            switch try await candidate.answerer(state: state).answer(input, turn: turn) {
            case let .answered(response):
                return response
            case var .escalated(escalation):
                escalation.to = next
                escalations.append(escalation)
                recorder.escalated(escalation)
            }
        }
        throw APIError.unavailable("no model could answer this request", code: "no_model", retryAfter: 5)
    }
}
