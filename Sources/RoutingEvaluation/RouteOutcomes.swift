import Foundation
import Gateway

/// Every chat tier's graded answer to every prompt of a set: the table all routing policies are scored on.
/// A policy only decides which tiers answer; what each answer costs and whether it is correct is fixed here, so
/// policies compare on exactly the same answers.
public struct RouteOutcomes: Sendable {
    /// One chat tier.
    public struct Tier: Sendable, Equatable, Codable {
        /// The model's id.
        public var model: String
        /// Its configured routing tier.
        public var tier: Int
        /// Weights in the model file (the cost unit: parameters × tokens processed).
        public var parameters: Double
    }

    public let prompts: [GradedPrompt]
    /// Cheapest first.
    public let tiers: [Tier]
    /// `answers[t][i]`: tier `t`'s answer to prompt `i`.
    public let answers: [[TierAnswer]]
    /// `correct[t][i]`: whether it was graded correct.
    public let correct: [[Bool]]

    public init(prompts: [GradedPrompt], tiers: [Tier], answers: [[TierAnswer]], correct: [[Bool]]) {
        precondition(answers.count == tiers.count && correct.count == tiers.count)
        self.prompts = prompts
        self.tiers = tiers
        self.answers = answers
        self.correct = correct
    }

    /// Cost of tier `t` answering prompt `i`: its parameters × the tokens it processed (prompt + completion).
    public func cost(tier t: Int, prompt i: Int) -> Double { tiers[t].parameters * Double(answers[t][i].tokens) }

    /// The same table restricted to the prompts at `indices`.
    public func subset(_ indices: [Int]) -> RouteOutcomes {
        RouteOutcomes(prompts: indices.map { prompts[$0] }, tiers: tiers,
                      answers: answers.map { row in indices.map { row[$0] } },
                      correct: correct.map { row in indices.map { row[$0] } })
    }

    /// The train and held-out halves (``GradedPrompt/isHeldOut(percent:)``).
    public func split(heldOutPercent: Int) -> (train: RouteOutcomes, heldOut: RouteOutcomes) {
        let heldOut = prompts.indices.filter { prompts[$0].isHeldOut(percent: heldOutPercent) }
        let held = Set(heldOut)
        return (subset(prompts.indices.filter { !held.contains($0) }), subset(heldOut))
    }

    /// One JSON line per prompt: id, category, difficulty and, per tier, whether it was correct, the whole answer's
    /// confidence, the tokens it processed and the answer text (`outcomes.jsonl` of `route eval --output`).
    public var jsonLines: Data {
        var out = Data()
        for i in prompts.indices {
            let row: [String: Any] = [
                "id": prompts[i].id, "category": prompts[i].category, "difficulty": prompts[i].difficulty ?? "",
                "tiers": tiers.indices.map { t -> [String: Any] in
                    ["model": tiers[t].model, "correct": correct[t][i], "confidence": answers[t][i].confidence(),
                     "tokens": answers[t][i].tokens, "finish_reason": answers[t][i].finishReason, "answer": answers[t][i].text]
                },
            ]
            if let line = try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys, .withoutEscapingSlashes]) {
                out.append(line)
                out.append(UInt8(ascii: "\n"))
            }
        }
        return out
    }

    /// Answers (any tier) that carry a chat-template token, as `(model, prompt id, token)`.
    public var templateTokenAnswers: [(model: String, prompt: String, token: String)] {
        tiers.indices.flatMap { t in
            answers[t].compactMap { a in Grader.templateToken(in: a.text).map { (tiers[t].model, a.promptID, $0) } }
        }
    }
}
