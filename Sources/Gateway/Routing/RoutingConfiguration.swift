/// How `model: "auto"` requests are routed: the complexity score's weights, the score at which each
/// tier starts, device profiles and the confidence-based escalation rule.
///
/// In the server's YAML it is the `routing:` section (every key optional). The defaults are the values
/// `groupqwen route calibrate` chose on the shipped graded set (`Benchmarks/RoutingBench/results/routing.yaml`):
///
/// ```yaml
/// routing:
///   strategy: keywords            # or learned (LearnedRouter: the shipped one, or learned_router:)
///   learned_router: router.json   # written by `groupqwen route calibrate`
///   weights: {length: 0.866, depth: 0.578, reasoning: 0.622, code: 0.158, math: 0.151, output: 0}
///   tier_thresholds: [0.002, 0.131]   # score ≥ 0.002 → tier 1, ≥ 0.131 → tier 2
///   profiles: {server: 2, laptop: 1, mobile: 0}   # highest tier each device profile may use
///   default_profile: server
///   min_confidence: 0.8           # geometric-mean token probability below which an answer escalates
///   probe_tokens: 8               # streams: tokens judged before anything is sent
///   max_escalations: 2
/// ```
public struct RoutingConfiguration: Sendable, Equatable {
    /// How the first tier of an `auto` request is chosen.
    public enum Strategy: String, Sendable, Equatable, Codable {
        /// The complexity score of keyword features against `tier_thresholds`.
        case keywords
        /// ``LearnedRouter``: predicted chance of a correct answer per tier against its cost. Applies when the
        /// configured chat tiers are the router's models; otherwise the keyword score decides.
        case learned
    }

    /// Weights of the complexity features; the score is their weighted mean, in 0…1.
    public struct Weights: Sendable, Equatable {
        public var length = 0.866
        public var depth = 0.578
        public var reasoning = 0.622
        public var code = 0.158
        public var math = 0.151
        public var output = 0.0

        public init() {}

        var total: Double { length + depth + reasoning + code + math + output }
    }

    public var strategy: Strategy = .keywords
    /// The learned router (`learned_router:` file); nil uses ``LearnedRouter/shipped``.
    public var learnedRouter: LearnedRouter?
    /// Where `learnedRouter` was read from (`learned_router:`), for messages.
    public var learnedRouterPath: String?
    public var weights = Weights()
    /// Ascending scores at which tiers 1, 2, … begin (tier 0 below the first).
    public var tierThresholds: [Double] = [0.002, 0.131]
    /// Highest tier each device profile may use.
    public var profiles: [String: Int] = ["server": Int.max, "laptop": 1, "mobile": 0]
    /// Profile of requests that name none.
    public var defaultProfile = "server"
    /// Answers whose geometric-mean token probability is below this are answered again one tier up.
    public var minConfidence = 0.8
    /// For streams, how many tokens are generated and judged before the first one is sent.
    public var probeTokens = 8
    /// Most times one request moves to a bigger model.
    public var maxEscalations = 2
    /// What happens when every candidate at or above the routed tier is down (a remote backend refused, a model
    /// failed to load): `lower` answers with the best lower tier that is up, marked degraded; `none` fails (503).
    public var fallback: Fallback = .lower

    /// `routing.fallback`.
    public enum Fallback: String, Sendable, Equatable, Codable {
        case lower, none
    }
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
        try learnedRouter?.validate()
    }
}
