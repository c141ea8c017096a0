import Foundation

/// One model's answer to one graded prompt, as the server would give it (its chat template, greedy, the
/// prompt's `max_tokens`), with what routing needs to judge it: token counts and the tokens' logprobs.
public struct TierAnswer: Sendable, Codable, Equatable {
    /// ``AnswerStore`` key: model file, settings and conversation.
    public var key: String
    public var promptID: String
    public var model: String
    public var text: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// Natural-log probabilities of the generated tokens, in order.
    public var logprobs: [Float]
    /// `stop` or `length`.
    public var finishReason: String
    /// Wall-clock seconds the answer took (batched with others, so only indicative).
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case key, model, text, logprobs, seconds
        case promptID = "prompt_id", promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
        case finishReason = "finish_reason"
    }

    /// Tokens processed: prompt plus completion.
    public var tokens: Int { promptTokens + completionTokens }

    /// The confidence the server judges (`AnswerConfidence`): exp(mean logprob) of the first `probeTokens`
    /// tokens (a stream), or of all of them (`nil`, a whole answer).
    public func confidence(probeTokens: Int? = nil) -> Double {
        let judged = probeTokens.map { Array(logprobs.prefix($0)) } ?? logprobs
        guard !judged.isEmpty else { return 1 }
        let mean = judged.reduce(0.0) { $0 + Double($1.isFinite ? $1 : -30) } / Double(judged.count)
        return exp(mean)
    }
}
