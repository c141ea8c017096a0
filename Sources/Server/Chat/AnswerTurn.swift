import Gateway

/// What an answerer is handed besides the request: the plan, where its candidate stands in the escalation
/// chain, and the recorder of the request.
struct AnswerTurn: Sendable {
    let plan: ChatPlan
    /// The escalations before this candidate, in order.
    let escalations: [Escalation]
    /// Whether a later candidate exists; only then may the answerer escalate.
    let mayEscalate: Bool
    /// Whether a fallback follows when this candidate is down (`ChatPlan.fallbacks`): then a backend failure moves on
    /// instead of ending the request, even where the turn may not escalate.
    var mayFailOver = false
    /// The candidate is a fallback below the routed tier: its answer is marked degraded.
    var degraded = false
    /// What the semantic cache said (a miss or a bypass: a hit never reaches an answerer).
    let cache: CacheDecision
    /// When the request arrived.
    let started: ContinuousClock.Instant
    let recorder: ChatRecorder

    /// Whether the answer's confidence is judged (an unsure answer escalates): never for the last
    /// candidate, nor under constraints that rule it out (JSON mode).
    var judgesConfidence: Bool { mayEscalate && plan.constraints.allowsConfidenceJudging }

    /// The routing shown with an answer from `candidate`: headers, the `groupqwen` object and metrics.
    func outcome(_ candidate: AnswerCandidate, confidence: Double? = nil) -> RoutingOutcome {
        var outcome = RoutingOutcome(plan: plan.routing, model: candidate.model, escalations: escalations, confidence: confidence,
                                     started: started)
        outcome.cache = cache
        outcome.base = candidate.base.id
        outcome.adapters = candidate.adapters
        outcome.expert = plan.expert
        outcome.systemPromptAdded = candidate.systemPrompt != nil
        outcome.degraded = degraded
        return outcome
    }
}
