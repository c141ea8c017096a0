import Foundation
import Gateway

/// What `groupqwen route calibrate` reports and writes: both fitted routers on the train and held-out splits,
/// the baselines, whether escalation paid, and the `routing:` block of the winner.
public struct CalibrationSummary: Sendable, Encodable {
    public struct KeywordSetting: Sendable, Encodable {
        public var weights: [String: Double]
        public var tierThresholds: [Double]
        public var minConfidence: Double
        enum CodingKeys: String, CodingKey { case weights, tierThresholds = "tier_thresholds", minConfidence = "min_confidence" }
    }

    public struct LearnedSetting: Sendable, Encodable {
        public var costWeight: Double
        public var minConfidence: [Double]
        public var relativeCosts: [Double]
        enum CodingKeys: String, CodingKey { case costWeight = "cost_weight", minConfidence = "min_confidence", relativeCosts = "relative_costs" }
    }

    public var set: String
    public var targetQuality: Double
    public var trainPrompts: Int
    public var heldOutPrompts: Int
    public var tiers: [String]
    public var chosen: String
    public var keywords: KeywordSetting
    public var learned: LearnedSetting
    /// Train then held-out, for both routers.
    public var fits: [String: [PolicyResult]]
    /// Held-out baselines: the current configuration, always each tier, random, oracle.
    public var baselines: [PolicyResult]
    public var learnedWithoutEscalation: PolicyResult

    enum CodingKeys: String, CodingKey {
        case set, tiers, chosen, keywords, learned, fits, baselines
        case targetQuality = "target_quality", trainPrompts = "train_prompts", heldOutPrompts = "held_out_prompts"
        case learnedWithoutEscalation = "learned_without_escalation"
    }

    public init(_ result: RouteCalibrator.Result, set: String, target: Double, tiers: [String]) {
        self.set = set
        targetQuality = target
        trainPrompts = result.trainPrompts
        heldOutPrompts = result.heldOutPrompts
        self.tiers = tiers
        chosen = result.chosen
        let w = result.keywords.weights
        keywords = KeywordSetting(weights: ["length": w.length, "depth": w.depth, "reasoning": w.reasoning, "code": w.code,
                                            "math": w.math, "output": w.output],
                                  tierThresholds: result.keywords.tierThresholds, minConfidence: result.keywords.minConfidence)
        learned = LearnedSetting(costWeight: result.learned.costWeight, minConfidence: result.learned.minConfidence,
                                 relativeCosts: result.learned.relativeCosts)
        fits = ["keywords": [result.keywordsFit.train, result.keywordsFit.heldOut], "learned": [result.learnedFit.train, result.learnedFit.heldOut]]
        baselines = result.baselines
        learnedWithoutEscalation = result.learnedWithoutEscalation
    }

    /// The winner as a `routing:` block (keyword values included either way: they decide when the learned router
    /// does not apply).
    public var routingYAML: String {
        let w = keywords.weights
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        return """
            # groupqwen route calibrate \(set): target \(f(targetQuality)) of always-largest, \(trainPrompts) train / \(heldOutPrompts) held-out prompts
            routing:
              strategy: \(chosen)
              learned_router: learned-router.json   # relative to the configuration file, or absolute
              weights: {length: \(f(w["length"]!)), depth: \(f(w["depth"]!)), reasoning: \(f(w["reasoning"]!)), code: \(f(w["code"]!)), math: \(f(w["math"]!)), output: \(f(w["output"]!))}
              tier_thresholds: [\(keywords.tierThresholds.map(f).joined(separator: ", "))]
              min_confidence: \(f(keywords.minConfidence))

            """
    }

    public var markdown: String {
        var out = "Calibration on `\(set)`: \(trainPrompts) train / \(heldOutPrompts) held-out prompts; target \(String(format: "%.0f", targetQuality * 100)) % of always-largest's quality.\n\n"
        out += "Chosen: **\(chosen)** (better on the held-out split).\n\n"
        out += "Held-out split:\n\n"
        out += RouteReport.policyTable([fits["learned"]![1], learnedWithoutEscalation, fits["keywords"]![1]] + baselines, tiers: tiers)
        out += "\nTrain split (learned: cross-validated choice of λ and thresholds, then refitted):\n\n"
        out += RouteReport.policyTable([fits["learned"]![0], fits["keywords"]![0]], tiers: tiers)
        let e = fits["learned"]![1]
        out += "\nEscalation (learned router, held-out): \(e.escalated) requests escalated; \(e.escalatedCorrect) ended correct, "
            + "\(e.escalatedCorrectWithout) would have been correct without escalating. Thresholds per tier: "
            + learned.minConfidence.map { String(format: "%.2f", $0) }.joined(separator: ", ") + "; λ = \(String(format: "%.2f", learned.costWeight)).\n"
        out += "Keyword router: thresholds " + keywords.tierThresholds.map { String(format: "%.3f", $0) }.joined(separator: ", ")
            + ", min_confidence \(String(format: "%.2f", keywords.minConfidence)).\n"
        return out
    }
}
