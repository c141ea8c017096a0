import Gateway

extension PolicyEvaluator {
    /// The server's keyword router with `configuration` over the chat tiers `models` (the outcome table's tiers,
    /// in order): `ModelRouter` picks the first model, `min_confidence` escalates whole answers.
    public func keywords(_ name: String, configuration: RoutingConfiguration, models: [ServedModel]) -> PolicyResult {
        let router = ModelRouter(configuration: configuration, models: models)
        let ids = outcomes.tiers.map(\.model)
        let rule = EscalationRule(minConfidence: ids.map { _ in configuration.minConfidence },
                                  maxEscalations: configuration.maxEscalations)
        return evaluate(name, rule: rule) { i in
            let plan = try? router.plan(Self.routingRequest(outcomes.prompts[i]))
            return plan.flatMap { p in ids.firstIndex(of: p.candidates[0].id) } ?? 0
        }
    }

    /// A learned router; `features[i]` are prompt `i`'s router features (`LearnedRouter.features`).
    public func learned(_ name: String, router: LearnedRouter, features: [[Float]]) -> PolicyResult {
        evaluate(name, rule: EscalationRule(minConfidence: router.minConfidence)) { router.startTier(features[$0]) }
    }

    /// The request the server's router would see for a graded prompt (its `max_tokens` included).
    public static func routingRequest(_ prompt: GradedPrompt) -> RoutingRequest {
        RoutingRequest(messages: prompt.messages.map { (role: $0.role, text: $0.content) }, maxTokens: prompt.maxTokens)
    }
}
