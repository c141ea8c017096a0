import Foundation
import Gateway

extension RouteCalibrator {
    static let l2Grid: [Float] = [0.1, 0.03, 0.01, 0.003, 0.001]

    /// Fits the learned router on the train split: the L2 strength with the best cross-validated log loss; λ and
    /// the per-tier escalation thresholds by grid search on the cross-validated predictions (so the choice is
    /// not fooled by a classifier grading its own training prompts); then the classifiers on the whole split.
    func fitLearned(_ train: PolicyEvaluator, features: [[Float]], target: Double, fittedOn: String) throws(RouteEvaluationError) -> LearnedRouter {
        let o = train.outcomes
        let n = o.prompts.count, tiers = o.tiers.count
        var order = Array(0..<n)
        var random = SplitMix64(seed: options.seed)
        random.shuffle(&order)
        var fold = [Int](repeating: 0, count: n)
        for (rank, i) in order.enumerated() { fold[i] = rank % options.folds }

        // Cross-validated p(correct) per tier, for each L2 strength; keep the strength with the lowest log loss.
        var best: (loss: Double, l2: Float, probabilities: [[Double]])?
        for l2 in Self.l2Grid {
            var probabilities = [[Double]](repeating: [Double](repeating: 0, count: n), count: tiers)
            var loss = 0.0
            for t in 0..<tiers {
                for f in 0..<options.folds {
                    let trainIdx = (0..<n).filter { fold[$0] != f }
                    let model = try Self.fitTier(features: trainIdx.map { features[$0] }, labels: trainIdx.map { o.correct[t][$0] }, l2: l2)
                    for i in 0..<n where fold[i] == f {
                        let p = min(1 - 1e-6, max(1e-6, model.probability(features[i])))
                        probabilities[t][i] = p
                        loss -= o.correct[t][i] ? log(p) : log(1 - p)
                    }
                }
            }
            if best == nil || loss < best!.loss { best = (loss, l2, probabilities) }
        }
        guard let chosen = best else { throw .calibration("no L2 strength could be fitted") }

        let meanCosts = o.tiers.indices.map { t in o.prompts.indices.reduce(0.0) { $0 + o.cost(tier: t, prompt: $1) } / Double(n) }
        let relativeCosts = meanCosts.map { $0 / meanCosts[tiers - 1] }
        // Every combination of escalation thresholds for the tiers that can escalate (the largest cannot).
        var ladders: [[Double]] = [[]]
        for _ in 0..<(tiers - 1) { ladders = ladders.flatMap { prefix in Self.confidenceGrid.map { prefix + [$0] } } }
        var candidates: [((Double, [Double]), PolicyResult)] = []
        for ladder in ladders {
            let rule = EscalationRule(minConfidence: ladder + [0])
            for lambda in Self.costWeightGrid {
                let result = train.evaluate("λ=\(lambda)", rule: rule) { i in
                    LearnedRouter.startTier(probabilities: (0..<tiers).map { chosen.probabilities[$0][i] },
                                            relativeCosts: relativeCosts, costWeight: lambda)
                }
                candidates.append(((lambda, ladder + [0]), result))
            }
        }
        guard let (setting, _) = Self.select(candidates, target: target) else { throw .calibration("no learned setting could be scored") }
        let tierModels = try (0..<tiers).map { t throws(RouteEvaluationError) in
            try Self.fitTier(features: features, labels: o.correct[t], l2: chosen.l2)
        }
        return LearnedRouter(models: o.tiers.map(\.model), relativeCosts: relativeCosts, tierModels: tierModels,
                             costWeight: setting.0, minConfidence: setting.1,
                             fittedOn: "\(fittedOn); \(n) train prompts; L2 \(chosen.l2); \(Self.dateStamp())")
    }

    /// One tier's classifier: logistic regression, or the constant rate when every label is the same.
    static func fitTier(features: [[Float]], labels: [Bool], l2: Float) throws(RouteEvaluationError) -> LearnedRouter.TierModel {
        let positives = labels.filter { $0 }.count
        guard positives > 0, positives < labels.count else { return .constant(positives > 0 ? 1 : 0) }
        do {
            let regression = try SoftmaxRegression.train(features: features, labels: labels.map { $0 ? 1 : 0 }, classCount: 2,
                                                         options: SoftmaxRegression.Options(l2: l2, iterations: 300, balanced: false))
            return .logistic(regression)
        } catch {
            throw .calibration("logistic regression: \(error)")
        }
    }

    static func dateStamp() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}
