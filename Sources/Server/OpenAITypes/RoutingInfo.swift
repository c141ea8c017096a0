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

    let model: String
    let tier: Int
    let complexity: Double
    let profile: String
    let routed: Bool
    let confidence: Double?
    let cache: Cache
    let escalations: [Step]
    let latencyMs: Int

    enum CodingKeys: String, CodingKey {
        case model, tier, complexity, profile, routed, confidence, cache, escalations, latencyMs = "latency_ms"
    }
}

/// What routing decided for one request, carried to the response writer.
struct RoutingOutcome: Sendable {
    let plan: RoutingPlan
    let model: ServedModel
    let escalations: [Escalation]
    let confidence: Double?
    let started: ContinuousClock.Instant

    /// `X-GroupQwen-*` response headers.
    var headers: [(String, String)] {
        [("X-GroupQwen-Model", model.id), ("X-GroupQwen-Tier", String(model.tier)), ("X-GroupQwen-Cache", "bypass")]
    }

    /// The body object, with the latency up to now.
    func info() -> RoutingInfo {
        let elapsed = ContinuousClock.now - started
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return RoutingInfo(model: model.id, tier: model.tier, complexity: (plan.complexity.score * 1000).rounded() / 1000,
                           profile: plan.profile, routed: !plan.forced,
                           confidence: confidence.map { ($0 * 1000).rounded() / 1000 },
                           cache: .init(hit: false, similarity: nil), escalations: escalations.map(RoutingInfo.Step.init),
                           latencyMs: ms)
    }
}
