import Gateway

extension RouteCalibrator {
    /// Seeded random search over the complexity weights (all but `output`, kept at 0: the requested `max_tokens`
    /// depends on the client more than on the prompt), the tier thresholds and `min_confidence` (the current
    /// configuration is one of the candidates), selected on the train split.
    func fitKeywords(_ train: PolicyEvaluator, base: RoutingConfiguration, models: [ServedModel],
                     target: Double) throws(RouteEvaluationError) -> RoutingConfiguration {
        var random = SplitMix64(seed: options.seed)
        var candidates = [(base, train.keywords("current", configuration: base, models: models))]
        let thresholdCount = max(1, models.count - 1)
        for _ in 0..<options.keywordSamples {
            var c = base
            c.weights.length = random.unit()
            c.weights.depth = random.unit()
            c.weights.reasoning = random.unit()
            c.weights.code = random.unit()
            c.weights.math = random.unit()
            c.weights.output = 0   // a client's max_tokens says little about the prompt (and differs between clients)
            guard c.weights.length + c.weights.depth + c.weights.reasoning + c.weights.code + c.weights.math + c.weights.output > 0 else { continue }
            // Scores are weighted means of features that are mostly 0 or small: thresholds live low.
            c.tierThresholds = (0..<thresholdCount).map { _ in random.unit() * random.unit() }.sorted()
            c.minConfidence = Self.confidenceGrid[random.index(Self.confidenceGrid.count)]
            candidates.append((c, train.keywords("sample", configuration: c, models: models)))
        }
        guard let best = Self.select(candidates, target: target) else { throw .calibration("no keyword setting could be scored") }
        return best.0
    }
}
