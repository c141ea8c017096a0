import Foundation

/// Routes by predicted answer quality (RouteLLM's lesson: routing pays when it is calibrated on graded answers).
/// One binary logistic regression per chat tier estimates the chance that the tier answers a prompt correctly
/// from the prompt's MiniLM embedding (the last user turn, as the semantic cache embeds it) and cheap text features
/// (`textFeatures`); the request starts at the tier with the best `p(correct) − costWeight × relative cost`.
/// Each tier escalates its answers below its own `minConfidence`.
///
/// Fitted by `groupqwen route calibrate` on a graded set; the server uses it (`routing.strategy: learned`) when its
/// chat tiers are the models it was fitted for, in that order.
public struct LearnedRouter: Sendable, Codable, Equatable {
    /// Chance of a correct answer from one tier: a logistic regression, or a constant when the training answers
    /// were all right or all wrong.
    public enum TierModel: Sendable, Codable, Equatable {
        case logistic(SoftmaxRegression)
        case constant(Double)

        /// p(correct) for the router features `x`.
        public func probability(_ x: [Float]) -> Double {
            switch self {
            case let .logistic(regression): Double(regression.probabilities(x)[1])
            case let .constant(p): p
            }
        }
    }

    /// The chat tiers' model ids, cheapest first.
    public var models: [String]
    /// Each tier's mean cost per request relative to the largest tier's (parameters × tokens, from calibration).
    public var relativeCosts: [Double]
    public var tierModels: [TierModel]
    /// λ: quality traded for one unit of relative cost.
    public var costWeight: Double
    /// Per tier, the answer confidence below which it escalates to the next tier (0: never).
    public var minConfidence: [Double]
    /// What it was fitted on (set, prompts, date), for people reading the file.
    public var fittedOn: String

    enum CodingKeys: String, CodingKey {
        case models, tierModels = "tier_models", costWeight = "cost_weight", minConfidence = "min_confidence"
        case relativeCosts = "relative_costs", fittedOn = "fitted_on"
    }

    public init(models: [String], relativeCosts: [Double], tierModels: [TierModel], costWeight: Double,
                minConfidence: [Double], fittedOn: String) {
        self.models = models
        self.relativeCosts = relativeCosts
        self.tierModels = tierModels
        self.costWeight = costWeight
        self.minConfidence = minConfidence
        self.fittedOn = fittedOn
    }

    /// Dimension of the prompt embedding (all-MiniLM-L6-v2).
    public static let embeddingDimension = 384
    /// Values after the embedding (``textFeatures(_:complexity:)``).
    public static let textFeatureCount = 11
    /// Length of the feature vector.
    public static var featureCount: Int { embeddingDimension + textFeatureCount }

    /// The router's input: the unit-length embedding of the last user turn, then ``textFeatures(_:complexity:)``.
    public static func features(embedding: [Float], text: String, complexity: ComplexityScore) -> [Float] {
        embedding + textFeatures(text, complexity: complexity)
    }

    /// Cheap signs of difficulty the embedding misses, each scaled to about 0…1 (capped at 4): the keyword scores for
    /// reasoning, code and mathematics, the conversation's depth, and of the last user turn its length, how many
    /// numbers it holds, the largest one's magnitude, its digits, arithmetic operators, lines and non-ASCII share.
    /// The requested output length is left out: a client's `max_tokens` says little about the prompt.
    public static func textFeatures(_ text: String, complexity: ComplexityScore) -> [Float] {
        var numbers: [Double] = [], digits = 0, current = "", operators = 0, lines = 0, nonASCII = 0, characters = 0
        func flush() {
            if !current.isEmpty, let value = Double(current) { numbers.append(value) }
            current = ""
        }
        for ch in text {
            characters += 1
            if ch.isASCII, ch.isNumber { current.append(ch); digits += 1; continue }
            if ch == ",", !current.isEmpty { continue }   // thousands separator
            if ch == ".", !current.isEmpty, !current.contains(".") { current.append(ch); continue }
            flush()
            if "+-*/×÷^%=".contains(ch) { operators += 1 }
            if ch == "\n" { lines += 1 }
            if !ch.isASCII { nonASCII += 1 }
        }
        flush()
        let cap = { (x: Double) in Float(min(4, x)) }
        return [Float(complexity.reasoning), Float(complexity.code), Float(complexity.math), Float(complexity.depth),
                cap(Double(characters) / 500), cap(Double(numbers.count) / 5), cap(log10(1 + (numbers.max() ?? 0)) / 4),
                cap(Double(digits) / 20), cap(Double(operators) / 5), cap(Double(lines) / 10),
                Float(characters > 0 ? Double(nonASCII) / Double(characters) : 0)]
    }

    /// p(correct) per tier, cheapest first.
    public func probabilities(_ features: [Float]) -> [Double] { tierModels.map { $0.probability(features) } }

    /// The tier index (into `models`) a request with these features starts at.
    public func startTier(_ features: [Float]) -> Int {
        Self.startTier(probabilities: probabilities(features), relativeCosts: relativeCosts, costWeight: costWeight)
    }

    /// argmax over tiers of `p − λ·cost` (ties go to the cheaper tier).
    public static func startTier(probabilities: [Double], relativeCosts: [Double], costWeight: Double) -> Int {
        var best = 0, bestUtility = -Double.infinity
        for (t, p) in probabilities.enumerated() {
            let utility = p - costWeight * relativeCosts[t]
            if utility > bestUtility + 1e-12 { best = t; bestUtility = utility }
        }
        return best
    }

    /// Checks shapes; the message says what is wrong.
    public func validate() throws(RoutingError) {
        let n = models.count
        guard n > 0, relativeCosts.count == n, tierModels.count == n, minConfidence.count == n else {
            throw .invalidConfiguration(key: "routing.learned_router", message: "needs one cost, model and min_confidence per tier (\(n) models)")
        }
        for case let .logistic(r) in tierModels where r.dimension != Self.featureCount || r.classCount != 2 {
            throw .invalidConfiguration(key: "routing.learned_router", message: "expects \(Self.featureCount) features and 2 classes")
        }
    }
}
