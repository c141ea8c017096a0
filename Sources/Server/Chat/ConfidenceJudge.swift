import Gateway

/// When an answer is too unsure to keep: its confidence (the geometric-mean token probability,
/// `AnswerConfidence`) is below `threshold` (`routing.min_confidence`). A stream is judged on its first
/// `probeTokens` tokens (`routing.probe_tokens`), before anything is sent.
/// The learned router sets a threshold per model (`perModel`); a model without one uses `threshold`.
struct ConfidenceJudge: Sendable {
    var threshold: Double
    var probeTokens: Int
    var perModel: [String: Double]

    init(threshold: Double, probeTokens: Int, perModel: [String: Double] = [:]) {
        self.threshold = threshold
        self.probeTokens = probeTokens
        self.perModel = perModel
    }

    /// The judge the server's `routing:` configuration describes, with the routing plan's per-model thresholds.
    init(_ configuration: RoutingConfiguration, perModel: [String: Double]? = nil) {
        self.init(threshold: configuration.minConfidence, probeTokens: configuration.probeTokens, perModel: perModel ?? [:])
    }

    /// The judge of one model's answers.
    func judging(_ model: String) -> ConfidenceJudge {
        ConfidenceJudge(threshold: perModel[model] ?? threshold, probeTokens: probeTokens)
    }

    /// Whether an answer of this confidence should be answered again by the next candidate.
    func rejects(_ confidence: Double) -> Bool { confidence < threshold }
}
