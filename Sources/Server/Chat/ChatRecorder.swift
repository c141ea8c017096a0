import Gateway
import Logging

/// Records what became of one chat request, in one place: its expert route, the log line of each escalation, the
/// completion metrics (with the escalations that led to the answer) and the semantic-cache insert of a
/// finished answer. Answerers and reply writers call it; it never changes what the client receives.
struct ChatRecorder: Sendable {
    let state: ServerState
    /// The request's logger.
    let logger: Logger
    /// Where a finished answer is stored: set after a cache miss, nil when the cache was bypassed.
    let cacheSlot: ChatCacheLookup.Slot?
    /// Whose quota the tokens are charged to (captured when the request is planned: streams finish later).
    var caller = APICaller.current

    /// A planned request: counts its expert route (`groupqwen_expert_routes_total`) and the routing time.
    func planned(_ plan: ChatPlan) {
        guard let expert = plan.expert else { return }
        state.metrics.recordExpertRoute(expert: expert.label, duration: expert.duration)
    }

    /// Logs a move to the next candidate (model ids and the reason; never the conversation). Its metric is
    /// counted when the request's completion is recorded.
    func escalated(_ escalation: Escalation) {
        logger.info("escalation", metadata: [
            "from": .string(escalation.from), "to": .string(escalation.to ?? "-"), "reason": .string(escalation.reason.rawValue),
        ])
    }

    /// A finished local completion: counts it, and stores a single `ok` answer in the semantic cache.
    func finished(_ routing: RoutingOutcome, promptTokens: Int, outputs: [ChoiceOutput], status: String) {
        for output in outputs {
            if let seconds = output.promptSeconds {
                state.metrics.recordPromptTime(model: routing.metricsModel, seconds: seconds, cachedTokens: output.cachedPromptTokens)
            }
        }
        finished(routing, promptTokens: promptTokens, completionTokens: outputs.reduce(0) { $0 + $1.completionTokens },
                 status: status, answer: status == "ok" && outputs.count == 1 ? outputs[0] : nil)
    }

    /// Counts a finished completion (tokens, latency, cache decision, adapters) and the escalations that led to it,
    /// then stores `answer` (a single finished choice) in the semantic cache when the request missed it.
    func finished(_ routing: RoutingOutcome, promptTokens: Int, completionTokens: Int, status: String, answer: ChoiceOutput?) {
        let metrics = state.metrics
        caller?.quota?.charge(tokens: promptTokens + completionTokens)
        metrics.recordCompletion(endpoint: "chat", model: routing.metricsModel, tier: routing.model.tier, status: status,
                                 promptTokens: promptTokens, completionTokens: completionTokens,
                                 duration: .now - routing.started, cache: routing.cache.label, adapter: routing.adapters.metricLabel)
        routing.escalations.forEach(metrics.recordEscalation)
        if routing.degraded { metrics.recordDegraded(model: routing.metricsModel, routedTier: routing.plan.candidates.first?.tier ?? routing.model.tier) }
        // A degraded answer is not remembered: the routed tier answers that question once it is back.
        if let answer, !routing.degraded { remember(answer, from: routing.model, promptTokens: promptTokens) }
    }

    /// Inserts a non-empty answer that was not cut short, in the background.
    private func remember(_ output: ChoiceOutput, from served: ServedModel, promptTokens: Int) {
        guard let cache = state.cache, let slot = cacheSlot, !output.text.isEmpty, output.finishReason != .cancelled else { return }
        let answer = CachedAnswer(text: output.text, model: served.id, tier: served.tier, finishReason: output.finishReasonText,
                                  promptTokens: promptTokens, completionTokens: output.completionTokens)
        Task { [logger] in
            if let reason = await cache.insert(slot.vector, query: slot.key.query, context: slot.key.context, answer: answer) {
                logger.warning("semantic cache turned off: \(reason); answers are generated as without a cache")
            }
        }
    }
}
