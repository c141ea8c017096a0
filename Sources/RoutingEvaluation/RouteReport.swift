import Foundation

/// What `groupqwen route eval` prints and writes: quality per category and tier, and every policy's quality and
/// cost on the same answers.
public struct RouteReport: Sendable, Encodable {
    public struct TierRow: Sendable, Encodable {
        public var model: String
        public var parameters: Double
        public var quality: Double
        public var meanTokens: Double
    }

    public struct CategoryRow: Sendable, Encodable {
        public var category: String
        public var prompts: Int
        /// Share correct per tier, cheapest first, then the oracle's.
        public var quality: [Double]
    }

    public var set: String
    public var prompts: Int
    public var tiers: [TierRow]
    public var categories: [CategoryRow]
    public var policies: [PolicyResult]
    /// Answers that carry chat-template tokens: "model prompt-id token".
    public var templateTokenAnswers: [String]

    enum CodingKeys: String, CodingKey {
        case set, prompts, tiers, categories, policies
        case templateTokenAnswers = "template_token_answers"
    }

    public init(set: String, outcomes o: RouteOutcomes, policies: [PolicyResult]) {
        self.set = set
        prompts = o.prompts.count
        let n = Double(max(1, o.prompts.count))
        tiers = o.tiers.indices.map { t in
            TierRow(model: o.tiers[t].model, parameters: o.tiers[t].parameters,
                    quality: Double(o.correct[t].filter { $0 }.count) / n,
                    meanTokens: Double(o.answers[t].reduce(0) { $0 + $1.tokens }) / n)
        }
        var order: [String] = []
        for p in o.prompts where !order.contains(p.category) { order.append(p.category) }
        categories = order.map { category in
            let idx = o.prompts.indices.filter { o.prompts[$0].category == category }
            let m = Double(idx.count)
            let perTier = o.tiers.indices.map { t in Double(idx.filter { o.correct[t][$0] }.count) / m }
            let oracle = Double(idx.filter { i in o.tiers.indices.contains { o.correct[$0][i] } }.count) / m
            return CategoryRow(category: category, prompts: idx.count, quality: perTier + [oracle])
        }
        self.policies = policies
        templateTokenAnswers = o.templateTokenAnswers.map { "\($0.model) \($0.prompt) \($0.token)" }
    }

    /// The tables as Markdown.
    public var markdown: String {
        var out = "Graded set `\(set)`: \(prompts) prompts; answers with chat-template tokens: \(templateTokenAnswers.count)\n\n"
        out += "| tier | parameters | correct | tokens / request |\n|---|---:|---:|---:|\n"
        for t in tiers {
            out += "| \(t.model) | \(Self.parameters(t.parameters)) | \(Self.percent(t.quality)) | \(String(format: "%.0f", t.meanTokens)) |\n"
        }
        out += "\n| category | prompts | " + tiers.map(\.model).joined(separator: " | ") + " | oracle |\n"
        out += "|---|---:|" + String(repeating: "---:|", count: tiers.count + 1) + "\n"
        for c in categories {
            out += "| \(c.category) | \(c.prompts) | " + c.quality.map(Self.percent).joined(separator: " | ") + " |\n"
        }
        out += "\n" + Self.policyTable(policies, tiers: tiers.map(\.model))
        return out
    }

    /// A Markdown table of policies: quality, relative quality and cost, first-tier shares, escalations.
    public static func policyTable(_ policies: [PolicyResult], tiers: [String]) -> String {
        var out = "| policy | correct | vs largest | cost vs largest | first tier (" + tiers.indices.map { "t\($0)" }.joined(separator: "/")
            + ") | escalated: end correct / correct without |\n|---|---:|---:|---:|---|---|\n"
        for p in policies {
            let shares = p.startShares.map { String(format: "%.0f", $0 * 100) }.joined(separator: "/")
            let escalations = p.escalated == 0 ? "—" : "\(p.escalated): \(p.escalatedCorrect) / \(p.escalatedCorrectWithout)"
            out += "| \(p.name) | \(percent(p.quality)) | \(percent(p.relativeQuality)) | \(percent(p.relativeCost)) | \(shares) | \(escalations) |\n"
        }
        return out
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }

    static func parameters(_ p: Double) -> String {
        p >= 1e9 ? String(format: "%.2fB", p / 1e9) : String(format: "%.0fM", p / 1e6)
    }
}
