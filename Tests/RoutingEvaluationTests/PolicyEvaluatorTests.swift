import Foundation
@testable import RoutingEvaluation
import Gateway
import Testing

@Suite("Policy evaluation and calibration")
struct PolicyEvaluatorTests {
    /// Two tiers (1 and 10 parameters), four prompts; every answer processes 10 tokens. Tier 0 is right on 0 and 1,
    /// tier 1 on 1, 2 and 3; tier 0 is unsure (confidence e^-2 ≈ 0.14) on prompts 2 and 3 and on prompt 0.
    static func table() -> RouteOutcomes {
        let prompts = (0..<4).map { i in
            GradedPrompt(id: "p\(i)", category: "c", messages: [.init(role: "user", content: "q\(i)")], maxTokens: 8,
                         grader: .reply(any: []))
        }
        let sure: [Float] = [0, 0], unsure: [Float] = [-2, -2]
        func answer(_ t: Int, _ i: Int, _ logprobs: [Float]) -> TierAnswer {
            TierAnswer(key: "\(t)-\(i)", promptID: "p\(i)", model: "m\(t)", text: "x", promptTokens: 8, completionTokens: 2,
                       logprobs: logprobs, finishReason: "stop", seconds: 0)
        }
        return RouteOutcomes(
            prompts: prompts,
            tiers: [.init(model: "m0", tier: 0, parameters: 1), .init(model: "m1", tier: 1, parameters: 10)],
            answers: [[answer(0, 0, unsure), answer(0, 1, sure), answer(0, 2, unsure), answer(0, 3, unsure)],
                      (0..<4).map { answer(1, $0, sure) }],
            correct: [[true, true, false, false], [false, true, true, true]])
    }

    @Test("fixed policies, random and the oracle")
    func baselines() {
        let e = PolicyEvaluator(outcomes: Self.table())
        let small = e.always(0), large = e.always(1)
        #expect(small.quality == 0.5 && small.cost == 10 && large.quality == 0.75 && large.cost == 100)
        #expect(abs(small.relativeQuality - 2.0 / 3) < 1e-12 && abs(small.relativeCost - 0.1) < 1e-12)
        let random = e.random()
        #expect(random.quality == 0.625 && random.cost == 55)
        let oracle = e.oracle()   // m0 for 0 and 1, m1 for 2 and 3: all correct at (10+10+100+100)/4
        #expect(oracle.quality == 1 && oracle.cost == 55 && oracle.startShares == [0.5, 0.5])
    }

    @Test("escalation pays for every answer and counts what it changed")
    func escalation() {
        let e = PolicyEvaluator(outcomes: Self.table())
        let rule = EscalationRule(minConfidence: [0.5, 0])
        let whole = e.evaluate("escalate", rule: rule) { _ in 0 }
        // Prompts 0, 2, 3 escalate: 0 ends wrong (was right), 2 and 3 end right.
        #expect(whole.escalated == 3 && whole.escalatedCorrect == 2 && whole.escalatedCorrectWithout == 1)
        #expect(whole.quality == 0.75 && whole.cost == (10 + 3 * 110) / 4.0)
        // A stream judged on its first token pays only for the probe of the abandoned answer.
        var probe = rule
        probe.probeTokens = 1
        #expect(e.evaluate("probe", rule: probe) { _ in 0 }.cost == (10 + 3 * (9 + 100)) / 4.0)
        #expect(e.evaluate("off", rule: .off) { _ in 0 } == e.evaluate("off", rule: .off) { _ in 0 })
    }

    @Test("the split is stable and about the asked share")
    func split() {
        let prompts = (0..<1_000).map { GradedPrompt(id: "id-\($0)", category: "c", messages: [.init(role: "user", content: "x")],
                                                     maxTokens: 1, grader: .reply(any: [])) }
        let held = prompts.filter { $0.isHeldOut(percent: 30) }.count
        #expect((250...350).contains(held))
        #expect(prompts.map { $0.isHeldOut(percent: 30) } == prompts.map { $0.isHeldOut(percent: 30) })
    }

    @Test("selection prefers reaching the target, then the cheaper setting")
    func selection() {
        func r(_ q: Double, _ c: Double) -> PolicyResult {
            PolicyResult(name: "", prompts: 1, quality: q, cost: c, relativeQuality: q, relativeCost: c, startShares: [],
                         escalated: 0, escalatedCorrect: 0, escalatedCorrectWithout: 0)
        }
        let picked = RouteCalibrator.select([("a", r(0.99, 0.9)), ("b", r(0.96, 0.4)), ("c", r(0.94, 0.1))], target: 0.95)
        #expect(picked?.0 == "b")
        #expect(RouteCalibrator.select([("a", r(0.9, 0.9)), ("c", r(0.94, 0.1))], target: 0.95)?.0 == "c")
    }
}
