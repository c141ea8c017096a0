import Foundation
import Gateway

/// Fits routing on the train split of a graded table and reports it on the held-out split, for two routers:
/// the keyword router (its complexity weights, tier thresholds and `min_confidence`, by seeded random search)
/// and the learned router (`LearnedRouter`: per-tier logistic regressions on the prompt embedding, λ and
/// per-tier escalation thresholds by grid search on cross-validated predictions). The target: the cheapest
/// setting whose quality reaches `targetQuality` × always-largest's. The router that does better on the held-out
/// split is chosen.
public struct RouteCalibrator: Sendable {
    public struct Options: Sendable {
        /// Share of always-largest's quality to reach (0.95).
        public var targetQuality = 0.95
        public var heldOutPercent = 30
        /// Cross-validation folds for the learned router's predictions on the train split.
        public var folds = 5
        /// Random settings tried for the keyword router.
        public var keywordSamples = 4_000
        public var seed: UInt64 = 2026

        public init() {}
    }

    /// One fitted router and how it did.
    public struct Fit: Sendable {
        public var train: PolicyResult
        public var heldOut: PolicyResult
        /// Held-out (relative cost, relative quality) as its main knob moves (λ, or a shift of the thresholds).
        public var curve: [(cost: Double, quality: Double)]
    }

    /// Everything calibration found.
    public struct Result: Sendable {
        public var keywords: RoutingConfiguration
        public var keywordsFit: Fit
        public var learned: LearnedRouter
        public var learnedFit: Fit
        /// The current configuration and the baselines on the held-out split.
        public var baselines: [PolicyResult]
        /// `learned` or `keywords`.
        public var chosen: String
        /// The learned router without its escalation on the held-out split (did escalation pay?).
        public var learnedWithoutEscalation: PolicyResult
        public var trainPrompts: Int
        public var heldOutPrompts: Int
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    static let confidenceGrid: [Double] = [0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    static let costWeightGrid: [Double] = (0...150).map { Double($0) * 0.01 }

    /// Calibrates on `outcomes` (`features[i]`: prompt i's `LearnedRouter.features`), starting from `base` (the
    /// current routing configuration) over the chat tiers `models`.
    public func calibrate(_ outcomes: RouteOutcomes, features: [[Float]], base: RoutingConfiguration,
                          models: [ServedModel], fittedOn: String) throws(RouteEvaluationError) -> Result {
        guard outcomes.tiers.count >= 2 else { throw .calibration("needs at least two chat tiers, got \(outcomes.tiers.count)") }
        let heldOutIndices = outcomes.prompts.indices.filter { outcomes.prompts[$0].isHeldOut(percent: options.heldOutPercent) }
        let held = Set(heldOutIndices)
        let trainIndices = outcomes.prompts.indices.filter { !held.contains($0) }
        guard trainIndices.count >= 4 * options.folds, heldOutIndices.count >= 10 else {
            throw .calibration("too few prompts: \(trainIndices.count) train, \(heldOutIndices.count) held out")
        }
        let train = PolicyEvaluator(outcomes: outcomes.subset(trainIndices))
        let heldOut = PolicyEvaluator(outcomes: outcomes.subset(heldOutIndices))
        let trainFeatures = trainIndices.map { features[$0] }, heldOutFeatures = heldOutIndices.map { features[$0] }
        let target = options.targetQuality

        // Keyword router.
        var keywords = try fitKeywords(train, base: base, models: models, target: target)
        let keywordsFit = Fit(train: train.keywords("keywords (calibrated)", configuration: keywords, models: models),
                              heldOut: heldOut.keywords("keywords (calibrated)", configuration: keywords, models: models),
                              curve: Self.thresholdCurve(heldOut, keywords, models: models))

        // Learned router.
        let learned = try fitLearned(train, features: trainFeatures, target: target, fittedOn: fittedOn)
        let learnedFit = Fit(train: train.learned("learned (calibrated)", router: learned, features: trainFeatures),
                             heldOut: heldOut.learned("learned (calibrated)", router: learned, features: heldOutFeatures),
                             curve: Self.costWeightCurve(heldOut, learned, features: heldOutFeatures))
        var plain = learned
        plain.minConfidence = plain.minConfidence.map { _ in 0 }
        let learnedWithoutEscalation = heldOut.learned("learned without escalation", router: plain, features: heldOutFeatures)

        var baselines = [heldOut.keywords("current defaults", configuration: base, models: models)]
        baselines += outcomes.tiers.indices.map { heldOut.always($0) }
        baselines += [heldOut.random(), heldOut.oracle()]
        let chosen = Self.better(learnedFit.heldOut, keywordsFit.heldOut, target: target) ? "learned" : "keywords"
        keywords.strategy = chosen == "learned" ? .learned : .keywords
        return Result(keywords: keywords, keywordsFit: keywordsFit, learned: learned, learnedFit: learnedFit, baselines: baselines,
                      chosen: chosen, learnedWithoutEscalation: learnedWithoutEscalation, trainPrompts: trainIndices.count,
                      heldOutPrompts: heldOutIndices.count)
    }

    /// Whether `a` beats `b`: reaching the target beats missing it; then the cheaper (both reach it) or the better.
    static func better(_ a: PolicyResult, _ b: PolicyResult, target: Double) -> Bool {
        let aOK = a.relativeQuality >= target, bOK = b.relativeQuality >= target
        if aOK != bOK { return aOK }
        if aOK { return a.relativeCost < b.relativeCost || a.relativeCost == b.relativeCost && a.quality > b.quality }
        return a.quality > b.quality || a.quality == b.quality && a.relativeCost < b.relativeCost
    }

    /// The best of `candidates` by ``better(_:_:target:)``.
    static func select<T>(_ candidates: [(T, PolicyResult)], target: Double) -> (T, PolicyResult)? {
        candidates.reduce(nil) { best, next in best.map { better(next.1, $0.1, target: target) ? next : $0 } ?? next }
    }

    /// Points of the learned router as its cost weight λ sweeps the grid.
    public static func costWeightCurve(_ evaluator: PolicyEvaluator, _ router: LearnedRouter,
                                       features: [[Float]]) -> [(cost: Double, quality: Double)] {
        costWeightGrid.map { lambda in
            var r = router
            r.costWeight = lambda
            let p = evaluator.learned("λ", router: r, features: features)
            return (p.relativeCost, p.relativeQuality)
        }
    }

    /// Points of the keyword router as both thresholds shift by −0.5 … +0.5.
    public static func thresholdCurve(_ evaluator: PolicyEvaluator, _ configuration: RoutingConfiguration,
                               models: [ServedModel]) -> [(cost: Double, quality: Double)] {
        stride(from: -0.5, through: 0.5, by: 0.02).map { shift in
            var c = configuration
            c.tierThresholds = c.tierThresholds.map { min(1, max(0, $0 + shift)) }
            let p = evaluator.keywords("shift", configuration: c, models: models)
            return (p.relativeCost, p.relativeQuality)
        }
    }
}
