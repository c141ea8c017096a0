import Foundation
import Gateway

/// What a build produced: the release to deploy (nil when the gate says no) and the report.
public struct ExpertBuildResult: Sendable {
    /// Whether to deploy, and why (or why not).
    public struct Decision: Sendable, Codable, Equatable {
        public var deploy: Bool
        public var reason: String
    }

    public var release: ExpertRelease?
    public var report: ExpertBuildReport
}

/// The build's numbers, written as `OUTPUT/report.json` and `OUTPUT/report.md` (`table`).
public struct ExpertBuildReport: Sendable, Codable {
    /// One expert's row.
    public struct Row: Sendable, Codable {
        public var id: String
        public var generated: Int
        public var curated: Int
        public var train: Int
        public var valid: Int
        public var heldOut: Int
        public var trainingSeconds: Double
        public var validLossBase: Double?
        public var validLossExpert: Double?
        public var scoreBase: Double?
        public var scoreExpert: Double?
        public var scoreRouted: Double?
        public var routingPrecision: Double?
        public var routingRecall: Double?
        /// `new`, `kept vN: …`, `left out: …`; after deploying, the live version.
        public var status: String
        /// Stages reused from an earlier run (inputs unchanged).
        public var skippedStages: [String]
    }

    public var baseModel: String
    public var output: String
    public var seconds: Double
    public var experts: [Row]
    public var classifier: String?
    public var threshold: Float?
    public var routerEvaluation: ExpertRouterEvaluation?
    public var decision: ExpertBuildResult.Decision
    /// Set after deploying: the deployment number and where (`server URL` or the database path).
    public var deployment: Int?
    public var deployedTo: String?

    /// The report as a Markdown table (experts, then the router's confusion matrix), for the terminal and the README.
    public var table: String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.0f %%", 100 * $0) } ?? "–" }
        func loss(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
        var lines = [
            "| expert | examples (train / valid) | held-out | training | val loss base → expert | held-out exact: base / expert / routed | routing precision / recall | status |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in experts {
            lines.append("| \(r.id) | \(r.curated) (\(r.train) / \(r.valid)) | \(r.heldOut) | \(String(format: "%.0f s", r.trainingSeconds)) | "
                         + "\(loss(r.validLossBase)) → \(loss(r.validLossExpert)) | \(pct(r.scoreBase)) / \(pct(r.scoreExpert)) / \(pct(r.scoreRouted)) | "
                         + "\(pct(r.routingPrecision)) / \(pct(r.routingRecall)) | \(r.status) |")
        }
        if let e = routerEvaluation {
            lines.append("")
            lines.append(String(format: "Router (%@, threshold %.2f): held-out in-domain prompts to their expert %.1f %% (%d), off-domain prompts to none %.1f %% (%d).",
                                classifier ?? "?", threshold ?? 0, 100 * e.inDomainAccuracy, e.inDomainCount, 100 * e.offDomainNoneRate, e.offDomainCount))
            lines.append("")
            lines.append("| true \\ routed | " + e.labels.joined(separator: " | ") + " |")
            lines.append("|---|" + String(repeating: "---:|", count: e.labels.count))
            for (label, row) in zip(e.labels, e.confusion) { lines.append("| \(label) | " + row.map(String.init).joined(separator: " | ") + " |") }
        }
        lines.append("")
        var verdict = (decision.deploy ? "Deploy: " : "Not deployed: ") + decision.reason
        if let deployment, let deployedTo { verdict += " — deployment \(deployment) on \(deployedTo)" }
        lines.append(verdict + String(format: ". Build time %.0f s.", seconds))
        return lines.joined(separator: "\n")
    }

    /// Writes `report.json` and `report.md` into `folder`.
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: folder.appendingPathComponent("report.json"), options: .atomic)
        try Data((table + "\n").utf8).write(to: folder.appendingPathComponent("report.md"), options: .atomic)
    }
}

extension ExpertBuilder {
    func report(_ outcomes: [ExpertOutcome], members: [ReleaseMember], router: RouterStageResult?, verdicts: [String: String],
                started: ContinuousClock.Instant, decision: ExpertBuildResult.Decision) -> ExpertBuildReport {
        let rows = outcomes.map { o -> ExpertBuildReport.Row in
            let member = members.first { $0.record.id == o.expert.id }
            let hasAnswers = !o.evaluate.answers.isEmpty
            return ExpertBuildReport.Row(
                id: o.expert.id, generated: o.data.examples, curated: o.curate.kept, train: o.split.train, valid: o.split.valid,
                heldOut: o.evaluate.answers.count, trainingSeconds: o.train.seconds, validLossBase: o.train.validLossBase,
                validLossExpert: o.train.validLossExpert, scoreBase: hasAnswers ? o.evaluate.scoreBase : nil,
                scoreExpert: hasAnswers ? o.evaluate.scoreExpert : nil, scoreRouted: member?.record.metrics.heldOutScoreRouted,
                routingPrecision: member?.record.metrics.routingPrecision, routingRecall: member?.record.metrics.routingRecall,
                status: verdicts[o.expert.id] ?? "new", skippedStages: o.skipped)
        }
        return ExpertBuildReport(baseModel: configuration.baseModel, output: configuration.output.path,
                                 seconds: (ContinuousClock.now - started).seconds, experts: rows, classifier: router?.router.classifier.kindName,
                                 threshold: router?.router.threshold, routerEvaluation: router?.evaluation, decision: decision)
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
