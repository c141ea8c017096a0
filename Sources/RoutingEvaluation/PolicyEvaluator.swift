import Foundation

/// Scores routing policies on a ``RouteOutcomes`` table. A policy picks each prompt's first tier; an
/// ``EscalationRule`` may then move it up, paying for every answer generated on the way.
public struct PolicyEvaluator: Sendable {
    public let outcomes: RouteOutcomes

    public init(outcomes: RouteOutcomes) {
        self.outcomes = outcomes
    }

    private var largest: Int { outcomes.tiers.count - 1 }

    /// Quality and mean cost of always the largest tier (the reference of the relative numbers).
    public var reference: (quality: Double, cost: Double) {
        let n = Double(outcomes.prompts.count)
        let t = largest
        return (Double(outcomes.correct[t].filter { $0 }.count) / n,
                outcomes.prompts.indices.reduce(0.0) { $0 + outcomes.cost(tier: t, prompt: $1) } / n)
    }

    /// The policy that starts prompt `i` at `start(i)` and escalates by `rule`.
    public func evaluate(_ name: String, rule: EscalationRule = .off, start: (Int) -> Int) -> PolicyResult {
        let o = outcomes
        var correct = 0, cost = 0.0, escalated = 0, escalatedCorrect = 0, escalatedCorrectWithout = 0
        var starts = [Int](repeating: 0, count: o.tiers.count)
        for i in o.prompts.indices {
            var t = min(max(0, start(i)), largest)
            starts[t] += 1
            let first = t
            var moves = 0
            cost += o.cost(tier: t, prompt: i)
            while moves < rule.maxEscalations, t < largest,
                  rule.escalates(tier: t, confidence: o.answers[t][i].confidence(probeTokens: rule.probeTokens)) {
                if let probe = rule.probeTokens {
                    // A stream is judged on its probe: the rest of that answer is never generated.
                    cost -= o.tiers[t].parameters * Double(max(0, o.answers[t][i].completionTokens - probe))
                }
                t += 1
                moves += 1
                cost += o.cost(tier: t, prompt: i)
            }
            if o.correct[t][i] { correct += 1 }
            if moves > 0 {
                escalated += 1
                if o.correct[t][i] { escalatedCorrect += 1 }
                if o.correct[first][i] { escalatedCorrectWithout += 1 }
            }
        }
        return result(name, correct: Double(correct), cost: cost, starts: starts.map(Double.init), escalated: escalated,
                      escalatedCorrect: escalatedCorrect, escalatedCorrectWithout: escalatedCorrectWithout)
    }

    /// Always tier `t`.
    public func always(_ t: Int) -> PolicyResult { evaluate("always \(outcomes.tiers[t].model)") { _ in t } }

    /// A uniformly random tier per request, as its expectation (no escalation).
    public func random() -> PolicyResult {
        let o = outcomes
        let k = Double(o.tiers.count)
        var correct = 0.0, cost = 0.0
        for t in o.tiers.indices {
            for i in o.prompts.indices {
                if o.correct[t][i] { correct += 1 / k }
                cost += o.cost(tier: t, prompt: i) / k
            }
        }
        return result("random", correct: correct, cost: cost, starts: o.tiers.map { _ in Double(o.prompts.count) / k },
                      escalated: 0, escalatedCorrect: 0, escalatedCorrectWithout: 0)
    }

    /// The cheapest tier that answers correctly (the smallest when none does): the bound no router can beat.
    public func oracle() -> PolicyResult {
        let o = outcomes
        return evaluate("oracle") { i in o.tiers.indices.first { o.correct[$0][i] } ?? 0 }
    }

    private func result(_ name: String, correct: Double, cost: Double, starts: [Double], escalated: Int,
                        escalatedCorrect: Int, escalatedCorrectWithout: Int) -> PolicyResult {
        let n = Double(max(1, outcomes.prompts.count))
        let ref = reference
        return PolicyResult(name: name, prompts: outcomes.prompts.count, quality: correct / n, cost: cost / n,
                            relativeQuality: ref.quality > 0 ? correct / n / ref.quality : 0,
                            relativeCost: ref.cost > 0 ? cost / n / ref.cost : 0,
                            startShares: starts.map { $0 / n }, escalated: escalated, escalatedCorrect: escalatedCorrect,
                            escalatedCorrectWithout: escalatedCorrectWithout)
    }
}
