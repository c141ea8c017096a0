import Foundation

/// The outcome of routing one request: its complexity, the tier it asked for, and the models to try
/// in order (the first, then bigger ones for escalation).
public struct RoutingPlan: Sendable {
    public var complexity: ComplexityScore
    /// The tier the score asked for, capped by the device profile.
    public var targetTier: Int
    /// The device profile applied.
    public var profile: String
    /// Models to try, cheapest suitable first; escalation moves along this list.
    public var candidates: [ServedModel]
    /// Whether the client named the model (no routing, no escalation).
    public var forced: Bool
    /// Models below the first candidate to fall back to, best first (one per tier), when every candidate is down;
    /// empty for a named model or with `routing.fallback: none`.
    public var fallbacks: [ServedModel] = []
    /// What chose the first candidate: the keyword score or the learned router.
    public var strategy: RoutingConfiguration.Strategy = .keywords
    /// The learned router's p(correct) per chat tier, cheapest first (nil for the keyword score).
    public var predictedQuality: [Double]?
    /// The learned router's models, in the order of `predictedQuality`.
    public var learnedModels: [String]?
    /// The learned router's escalation threshold per model id (nil: `routing.min_confidence` for every model).
    public var minConfidence: [String: Double]?
    /// The embedding of the semantic cache's query when routing computed it (the cache then reuses it).
    public var queryVector: [Float]?
    /// The language of the last user turn when it was identified with confidence (ISO code; see
    /// ``RoutingRequest/language``).
    public var language: String?

    public init(complexity: ComplexityScore, targetTier: Int, profile: String, candidates: [ServedModel], forced: Bool) {
        self.complexity = complexity
        self.targetTier = targetTier
        self.profile = profile
        self.candidates = candidates
        self.forced = forced
    }
}

/// One move to a bigger model while answering a request.
public struct Escalation: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// Prompt plus requested completion do not fit the model's context window.
        case contextOverflow = "context_overflow"
        /// The answer's confidence was below `min_confidence`.
        case lowConfidence = "low_confidence"
        /// The model could not be loaded or failed while answering.
        case backendError = "backend_error"
    }

    public var from: String
    public var to: String?
    public var reason: Reason
    /// The geometric-mean token probability that triggered a `lowConfidence` escalation.
    public var confidence: Double?
    /// A short explanation (error message, token counts).
    public var detail: String?

    public init(from: String, to: String? = nil, reason: Reason, confidence: Double? = nil, detail: String? = nil) {
        self.from = from
        self.to = to
        self.reason = reason
        self.confidence = confidence
        self.detail = detail
    }
}

/// Confidence of generated text: the geometric mean of its tokens' probabilities, exp(mean logprob).
public enum AnswerConfidence {
    /// 1 for an empty list (nothing to doubt).
    public static func of(logprobs: [Float]) -> Double {
        guard !logprobs.isEmpty else { return 1 }
        let mean = logprobs.reduce(0.0) { $0 + Double($1.isFinite ? $1 : -30) } / Double(logprobs.count)
        return exp(mean)
    }
}
