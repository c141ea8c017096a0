/// Picks the cheapest model that should answer a request well: scores its complexity, maps the score
/// to a tier, caps the tier by the device profile, and lists the models to try in order.
public struct ModelRouter: Sendable {
    public let configuration: RoutingConfiguration
    /// The models routing may choose from (all configured models).
    public let models: [ServedModel]
    private let scorer: ComplexityScorer

    public init(configuration: RoutingConfiguration, models: [ServedModel]) {
        self.configuration = configuration
        self.models = models
        self.scorer = ComplexityScorer(configuration: configuration)
    }

    /// Whether a `model` value asks for routing (`auto`, empty or absent).
    public static func isAutomatic(_ model: String?) -> Bool {
        guard let model else { return true }
        return model.isEmpty || model == "auto"
    }

    /// Plans a request. `forcedModel` (a configured id) skips routing but still reports the complexity.
    public func plan(_ request: RoutingRequest, forcedModel: String? = nil) throws(RoutingError) -> RoutingPlan {
        let complexity = scorer.score(request)
        let profile = request.profile ?? configuration.defaultProfile
        guard let maxTier = configuration.profiles[profile] else {
            throw .unknownProfile(profile, known: configuration.profiles.keys.sorted())
        }
        if let forcedModel, let served = models.first(where: { $0.id == forcedModel }) {
            return RoutingPlan(complexity: complexity, targetTier: served.tier, profile: profile, candidates: [served], forced: true)
        }
        let allowed = models.filter { $0.tier <= maxTier }.sorted { ($0.tier, $0.id) < ($1.tier, $1.id) }
        guard !allowed.isEmpty else {
            throw .noModel("no configured model is allowed for device profile '\(profile)' (highest tier \(maxTier))")
        }
        let wanted = min(configuration.tier(forScore: complexity.score), maxTier)
        // The cheapest model at or above the wanted tier; if none, the biggest allowed one.
        let start = allowed.firstIndex { $0.tier >= wanted } ?? allowed.count - 1
        // One model per tier after the first choice, so escalation always moves to a bigger tier.
        var candidates = [allowed[start]]
        for model in allowed[(start + 1)...] where model.tier > candidates.last!.tier {
            candidates.append(model)
        }
        candidates = Array(candidates.prefix(configuration.maxEscalations + 1))
        return RoutingPlan(complexity: complexity, targetTier: wanted, profile: profile, candidates: candidates, forced: false)
    }
}
