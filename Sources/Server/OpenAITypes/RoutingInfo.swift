import Gateway

/// The `groupqwen` object of a chat completion (and of its last stream chunk): which model answered,
/// why, and how long it took.
struct RoutingInfo: Encodable, Sendable {
    struct Cache: Encodable, Sendable {
        let hit: Bool
        let similarity: Double?

        enum CodingKeys: String, CodingKey { case hit, similarity }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(hit, forKey: .hit)
            try c.encode(similarity, forKey: .similarity)
        }
    }

    struct Step: Encodable, Sendable {
        let from: String
        let to: String?
        let reason: String
        let confidence: Double?
        let detail: String?

        init(_ e: Escalation) {
            from = e.from
            to = e.to
            reason = e.reason.rawValue
            confidence = e.confidence.map { ($0 * 1000).rounded() / 1000 }
            detail = e.detail
        }
    }

    /// One LoRA adapter applied to the answer.
    struct Adapter: Encodable, Sendable {
        let id: String
        let scale: Double
    }

    /// What the expert router decided: the chosen expert (`id`/`version` null for none), its confidence, the best and
    /// second-best experts, the deployment, whether the expert's system prompt was added, and the routing time.
    struct Expert: Encodable, Sendable {
        struct Candidate: Encodable, Sendable {
            let id: String
            let confidence: Double
        }

        let id: String?
        let version: Int?
        let confidence: Double
        let best: Candidate
        let runnerUp: Candidate?
        let deployment: Int
        let systemPromptAdded: Bool
        let routingMs: Double

        enum CodingKeys: String, CodingKey {
            case id, version, confidence, best, runnerUp = "runner_up", deployment, systemPromptAdded = "system_prompt_added"
            case routingMs = "routing_ms"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(version, forKey: .version)
            try c.encode(confidence, forKey: .confidence)
            try c.encode(best, forKey: .best)
            try c.encode(runnerUp, forKey: .runnerUp)
            try c.encode(deployment, forKey: .deployment)
            try c.encode(systemPromptAdded, forKey: .systemPromptAdded)
            try c.encode(routingMs, forKey: .routingMs)
        }
    }

    let model: String
    let tier: Int
    let complexity: Double
    let profile: String
    let routed: Bool
    let confidence: Double?
    let cache: Cache
    let escalations: [Step]
    let latencyMs: Int
    /// The LoRA adapters applied (empty for the bare model).
    let adapters: [Adapter]
    /// Present when the expert router was asked.
    let expert: Expert?
    /// What chose the first model of a routed request: `learned` or `keywords` (nil when the model was named).
    var strategy: String?
    /// The learned router's predicted chance of a correct answer per chat tier, by model id.
    var predictedQuality: [String: Double]?
    /// True when a lower tier answered because the routed ones were down; absent otherwise.
    var degraded: Bool?
    /// Speculative decoding's work on this answer (the model has a `draft`); absent when no draft proposed anything.
    var speculative: Speculative?
    /// The language the last user turn was identified as (ISO code); absent when unknown or not confident.
    var language: String?

    struct Speculative: Encodable, Sendable {
        /// Tokens the draft model proposed, and how many of them the model kept.
        let proposed: Int
        let accepted: Int
    }

    enum CodingKeys: String, CodingKey {
        case model, tier, complexity, profile, routed, confidence, cache, escalations, latencyMs = "latency_ms", adapters, expert
        case strategy, predictedQuality = "predicted_quality", degraded, speculative, language
    }
}

/// Whether the semantic cache was consulted and what it gave.
enum CacheDecision: Sendable, Equatable {
    /// Not consulted (disabled, asked to bypass, or the request is not cacheable).
    case bypass
    case miss
    case hit(similarity: Float)

    var label: String {
        switch self {
        case .bypass: return "bypass"
        case .miss: return "miss"
        case .hit: return "hit"
        }
    }
}

/// What routing decided for one request, carried to the response writer.
struct RoutingOutcome: Sendable {
    let plan: RoutingPlan
    let model: ServedModel
    let escalations: [Escalation]
    var confidence: Double?
    let started: ContinuousClock.Instant
    var cache: CacheDecision = .bypass
    /// The configured model that ran (the base of an adapter-model); nil: `model` itself.
    var base: String?
    /// The LoRA adapters applied.
    var adapters: AdapterSelection = .none
    /// What the expert router decided, when it was asked.
    var expert: ExpertChoice?
    /// Whether the answering candidate put the expert's system prompt before the conversation.
    var systemPromptAdded = false
    /// A fallback below the routed tier answered (every routed candidate was down).
    var degraded = false

    /// The model label of the metrics: the configured model that ran.
    var metricsModel: String { base ?? model.id }

    /// `X-GroupQwen-*` response headers (`X-GroupQwen-Adapter`: `id@scale`, comma-separated, with adapters;
    /// `X-GroupQwen-Expert`: the routed expert or `none`, when the expert router was asked).
    var headers: [(String, String)] {
        var headers = [("X-GroupQwen-Model", model.id), ("X-GroupQwen-Tier", String(model.tier)), ("X-GroupQwen-Cache", cache.label)]
        if let adapter = adapters.header { headers.append(("X-GroupQwen-Adapter", adapter)) }
        if let expert { headers.append(("X-GroupQwen-Expert", expert.label)) }
        if degraded { headers.append(("X-GroupQwen-Degraded", "true")) }
        return headers
    }

    private var cacheInfo: RoutingInfo.Cache {
        if case let .hit(similarity) = cache { return .init(hit: true, similarity: (Double(similarity) * 1000).rounded() / 1000) }
        return .init(hit: false, similarity: nil)
    }

    /// The body object, with the latency up to now and what speculative decoding did for `outputs`.
    func info(outputs: [ChoiceOutput] = []) -> RoutingInfo {
        let elapsed = ContinuousClock.now - started
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        var info = RoutingInfo(model: model.id, tier: model.tier, complexity: (plan.complexity.score * 1000).rounded() / 1000,
                               profile: plan.profile, routed: !plan.forced,
                               confidence: confidence.map { ($0 * 1000).rounded() / 1000 },
                               cache: cacheInfo, escalations: escalations.map(RoutingInfo.Step.init),
                               latencyMs: ms, adapters: adapters.info, expert: expert?.info(systemPromptAdded: systemPromptAdded))
        if degraded { info.degraded = true }
        info.language = plan.language
        let proposed = outputs.reduce(0) { $0 + $1.draftProposed }
        if proposed > 0 { info.speculative = .init(proposed: proposed, accepted: outputs.reduce(0) { $0 + $1.draftAccepted }) }
        if !plan.forced {
            info.strategy = plan.strategy.rawValue
            info.predictedQuality = plan.predictedQuality.map { p in
                Dictionary(uniqueKeysWithValues: zip(plan.learnedModels ?? [], p.map { ($0 * 1000).rounded() / 1000 }))
            }
        }
        return info
    }
}
