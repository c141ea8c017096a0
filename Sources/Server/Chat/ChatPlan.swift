import Gateway

/// Everything decided about a chat request before any model runs; `ChatPlanner` makes it.
struct ChatPlan: Sendable {
    /// The router's decision: complexity, device profile, whether the client forced the model.
    let routing: RoutingPlan
    /// Who answers, in order: the first, then each escalation's next try.
    let candidates: [AnswerCandidate]
    /// Who answers, best first, when every candidate is down (`routing.fallback: lower`); the answer is degraded.
    let fallbacks: [AnswerCandidate]
    /// What every answer must satisfy, whichever candidate gives it.
    let constraints: ChatConstraints
    /// The tools the answer may call; nil when it may not (no tools, `tool_choice: none`).
    let tools: ChatTools?
    /// When an answer is too unsure to keep (applies only where `AnswerTurn.judgesConfidence`).
    let judge: ConfidenceJudge
    /// The semantic cache's key; nil when the cache is off or bypassed, or the request is not cacheable.
    let cacheKey: ChatCacheKey?
    /// What the expert router decided; nil when it was not asked (experts disabled or not live, a named model).
    let expert: ExpertChoice?
}
