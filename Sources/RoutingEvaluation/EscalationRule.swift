/// When an answer is replaced by the next tier's: its confidence (`TierAnswer.confidence`) is below the tier's
/// threshold. Mirrors the server (`routing.min_confidence`, `probe_tokens`, `max_escalations`).
public struct EscalationRule: Sendable, Equatable, Codable {
    /// Threshold per tier, cheapest first (a missing entry or 0: that tier never escalates).
    public var minConfidence: [Double]
    /// Tokens judged: nil judges the whole answer (a non-streamed request), k the first k (a stream).
    public var probeTokens: Int?
    public var maxEscalations: Int

    public init(minConfidence: [Double], probeTokens: Int? = nil, maxEscalations: Int = 2) {
        self.minConfidence = minConfidence
        self.probeTokens = probeTokens
        self.maxEscalations = maxEscalations
    }

    /// Never escalates.
    public static let off = EscalationRule(minConfidence: [], maxEscalations: 0)

    public var isOff: Bool { maxEscalations == 0 || minConfidence.allSatisfy { $0 <= 0 } }

    /// Whether tier `t`'s answer of this confidence moves on.
    public func escalates(tier t: Int, confidence: Double) -> Bool {
        t < minConfidence.count && confidence < minConfidence[t]
    }
}
