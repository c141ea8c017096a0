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

    /// Plans a request that needs `capability`. `forcedModel` (a configured id) skips routing but still reports the
    /// complexity; it must have the capability. Routing only considers the models that have it.
    public func plan(_ request: RoutingRequest, forcedModel: String? = nil,
                     capability: ModelCapability = .chat) throws(RoutingError) -> RoutingPlan {
        try plan(request, forcedModel: forcedModel, capabilities: [capability])
    }

    /// Plans a request that needs every one of `capabilities` (say chat and vision); a missing one is reported as the
    /// capability the fewest configured models have, on a tie the one other than chat (what the request is about).
    public func plan(_ request: RoutingRequest, forcedModel: String? = nil,
                     capabilities needed: Set<ModelCapability>) throws(RoutingError) -> RoutingPlan {
        func rarest(_ among: Set<ModelCapability>) -> ModelCapability {
            func rank(_ c: ModelCapability) -> (Int, Int) { (models.filter { $0.can(c) }.count, c == .chat ? 1 : 0) }
            return among.sorted().min { rank($0) < rank($1) } ?? .chat
        }
        let complexity = scorer.score(request)
        let profile = request.profile ?? configuration.defaultProfile
        guard let maxTier = configuration.profiles[profile] else {
            throw .unknownProfile(profile, known: configuration.profiles.keys.sorted())
        }
        if let forcedModel, let served = models.first(where: { $0.id == forcedModel }) {
            let missing = needed.subtracting(served.capabilities)
            guard missing.isEmpty else { throw .missingCapability(rarest(missing), model: served.id) }
            var plan = RoutingPlan(complexity: complexity, targetTier: served.tier, profile: profile, candidates: [served], forced: true)
            plan.language = request.language
            return plan
        }
        var capable = models.filter { needed.isSubset(of: $0.capabilities) }
        guard !capable.isEmpty else { throw .missingCapability(rarest(needed), model: nil) }
        // Only the models that speak the prompt's language, unless none does (then the language cannot narrow the choice).
        let speaking = capable.filter { $0.speaks(request.language) }
        if !speaking.isEmpty { capable = speaking }
        let allowed = capable.filter { $0.tier <= maxTier }.sorted { ($0.tier, $0.id) < ($1.tier, $1.id) }
        guard !allowed.isEmpty else {
            throw .noModel("no configured model is allowed for device profile '\(profile)' (highest tier \(maxTier))")
        }
        let learned = learnedChoice(request, complexity: complexity, capable: capable)
        let wanted = min(learned?.tier ?? configuration.tier(forScore: complexity.score), maxTier)
        // The cheapest model at or above the wanted tier; if none, the biggest allowed one.
        let start = allowed.firstIndex { $0.tier >= wanted } ?? allowed.count - 1
        // One model per tier after the first choice, so escalation always moves to a bigger tier.
        var candidates = [allowed[start]]
        for model in allowed[(start + 1)...] where model.tier > candidates.last!.tier {
            candidates.append(model)
        }
        candidates = Array(candidates.prefix(configuration.maxEscalations + 1))
        var plan = RoutingPlan(complexity: complexity, targetTier: wanted, profile: profile, candidates: candidates, forced: false)
        plan.language = request.language
        if configuration.fallback == .lower {
            // Below the first choice, one model per lower tier (the first in tier and id order, as for candidates),
            // the highest tier first.
            let lower = allowed[..<start].filter { $0.tier < allowed[start].tier }
            for tier in Set(lower.map(\.tier)).sorted(by: >) {
                if let model = lower.first(where: { $0.tier == tier }) { plan.fallbacks.append(model) }
            }
        }
        if let learned {
            plan.strategy = .learned
            plan.predictedQuality = learned.probabilities
            plan.learnedModels = learnedRouter?.models
            plan.minConfidence = learned.minConfidence
        }
        return plan
    }

    /// The learned router that applies to this router's models: the configured one or the shipped one, when the
    /// strategy is `learned` and the chat tiers (one model per tier, cheapest first) are its models.
    public var learnedRouter: LearnedRouter? {
        guard configuration.strategy == .learned, let router = configuration.learnedRouter ?? LearnedRouter.shipped else { return nil }
        let capable = models.filter { $0.can(.chat) }.sorted { ($0.tier, $0.id) < ($1.tier, $1.id) }
        var tiers: [ServedModel] = []
        for model in capable where tiers.last?.tier != model.tier { tiers.append(model) }
        return tiers.map(\.id) == router.models ? router : nil
    }

    /// The learned router's choice for a request that carries its embedding: the tier to start at, the predicted
    /// p(correct) per tier and the escalation threshold of each model. Nil when the keyword score decides.
    private func learnedChoice(_ request: RoutingRequest, complexity: ComplexityScore,
                               capable: [ServedModel]) -> (tier: Int, probabilities: [Double], minConfidence: [String: Double])? {
        guard let router = learnedRouter, let embedding = request.embedding,
              embedding.count == LearnedRouter.embeddingDimension else { return nil }
        let text = request.messages.last { $0.role == "user" }?.text ?? request.messages.last?.text ?? ""
        let features = LearnedRouter.features(embedding: embedding, text: text, complexity: complexity)
        let probabilities = router.probabilities(features)
        let start = LearnedRouter.startTier(probabilities: probabilities, relativeCosts: router.relativeCosts, costWeight: router.costWeight)
        guard let model = capable.first(where: { $0.id == router.models[start] }) else { return nil }
        return (model.tier, probabilities, Dictionary(uniqueKeysWithValues: zip(router.models, router.minConfidence)))
    }
}
