/// How `model: "auto"` requests are routed: the complexity score's weights, the score at which each
/// tier starts, device profiles and the confidence-based escalation rule.
///
/// In the server's YAML it is the `routing:` section (every key optional):
///
/// ```yaml
/// routing:
///   weights: {length: 0.2, depth: 0.1, reasoning: 0.25, code: 0.25, math: 0.1, output: 0.1}
///   tier_thresholds: [0.2, 0.5]   # score ≥ 0.2 → tier 1, ≥ 0.5 → tier 2
///   profiles: {server: 2, laptop: 1, mobile: 0}   # highest tier each device profile may use
///   default_profile: server
///   min_confidence: 0.3           # geometric-mean token probability below which an answer escalates
///   probe_tokens: 8               # streams: tokens judged before anything is sent
///   max_escalations: 2
/// ```
public struct RoutingConfiguration: Sendable, Equatable {
    /// Weights of the complexity features; the score is their weighted mean, in 0…1.
    public struct Weights: Sendable, Equatable {
        public var length = 0.2
        public var depth = 0.1
        public var reasoning = 0.25
        public var code = 0.25
        public var math = 0.1
        public var output = 0.1

        public init() {}

        var total: Double { length + depth + reasoning + code + math + output }
    }

    public var weights = Weights()
    /// Ascending scores at which tiers 1, 2, … begin (tier 0 below the first).
    public var tierThresholds: [Double] = [0.2, 0.5]
    /// Highest tier each device profile may use.
    public var profiles: [String: Int] = ["server": Int.max, "laptop": 1, "mobile": 0]
    /// Profile of requests that name none.
    public var defaultProfile = "server"
    /// Answers whose geometric-mean token probability is below this are answered again one tier up.
    public var minConfidence = 0.3
    /// For streams, how many tokens are generated and judged before the first one is sent.
    public var probeTokens = 8
    /// Most times one request moves to a bigger model.
    public var maxEscalations = 2
    /// Prompt characters at which the length feature saturates.
    public var lengthSaturation = 2_000
    /// Conversation turns at which the depth feature saturates.
    public var depthSaturation = 8
    /// Requested completion tokens at which the output feature saturates.
    public var outputSaturation = 1_024

    public init() {}

    /// The tier a complexity score asks for.
    public func tier(forScore score: Double) -> Int {
        tierThresholds.reduce(0) { score >= $1 ? $0 + 1 : $0 }
    }

    /// Checks ranges; the message names the key.
    public func validate() throws(RoutingError) {
        let w = weights
        for (name, value) in [("length", w.length), ("depth", w.depth), ("reasoning", w.reasoning), ("code", w.code),
                              ("math", w.math), ("output", w.output)] where !(value >= 0 && value.isFinite) {
            throw .invalidConfiguration(key: "routing.weights.\(name)", message: "must be a number ≥ 0")
        }
        guard w.total > 0 else { throw .invalidConfiguration(key: "routing.weights", message: "must not all be 0") }
        guard tierThresholds == tierThresholds.sorted(), tierThresholds.allSatisfy({ (0...1).contains($0) }) else {
            throw .invalidConfiguration(key: "routing.tier_thresholds", message: "must be ascending numbers in 0…1")
        }
        guard profiles[defaultProfile] != nil else {
            throw .invalidConfiguration(key: "routing.default_profile", message: "'\(defaultProfile)' is not one of the profiles")
        }
        guard (0...1).contains(minConfidence) else {
            throw .invalidConfiguration(key: "routing.min_confidence", message: "must be in 0…1")
        }
        guard probeTokens >= 1 else { throw .invalidConfiguration(key: "routing.probe_tokens", message: "must be ≥ 1") }
        guard maxEscalations >= 0 else { throw .invalidConfiguration(key: "routing.max_escalations", message: "must be ≥ 0") }
    }
}
