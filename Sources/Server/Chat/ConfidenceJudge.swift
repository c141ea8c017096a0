import Gateway

/// When an answer is too unsure to keep: its confidence (the geometric-mean token probability,
/// `AnswerConfidence`) is below `threshold` (`routing.min_confidence`). A stream is judged on its first
/// `probeTokens` tokens (`routing.probe_tokens`), before anything is sent.
struct ConfidenceJudge: Sendable {
    var threshold: Double
    var probeTokens: Int

    init(threshold: Double, probeTokens: Int) {
        self.threshold = threshold
        self.probeTokens = probeTokens
    }

    /// The judge the server's `routing:` configuration describes.
    init(_ configuration: RoutingConfiguration) {
        self.init(threshold: configuration.minConfidence, probeTokens: configuration.probeTokens)
    }

    /// Whether an answer of this confidence should be answered again by the next candidate.
    func rejects(_ confidence: Double) -> Bool { confidence < threshold }
}
