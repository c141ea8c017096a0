import Engine

/// What one choice produced: its text, tokens and why it ended.
struct ChoiceOutput: Sendable {
    var text: String
    var tokens: [GeneratedToken]
    var finishReason: FinishReason
    /// Tokens generated, including any discarded attempts (JSON mode retries).
    var completionTokens: Int
    /// Prompt tokens the engine took from its prefix cache, and seconds until the first token (known once finished).
    var cachedPromptTokens = 0
    var promptSeconds: Double?
    /// Speculative decoding: tokens the draft model proposed and the model kept.
    var draftProposed = 0, draftAccepted = 0

    init(text: String = "", tokens: [GeneratedToken] = [], finishReason: FinishReason = .cancelled, completionTokens: Int? = nil) {
        self.text = text
        self.tokens = tokens
        self.finishReason = finishReason
        self.completionTokens = completionTokens ?? tokens.count
    }

    init(_ result: GenerationResult) {
        self.init(text: result.text, tokens: result.tokens, finishReason: result.finishReason, completionTokens: result.ids.count)
        cachedPromptTokens = result.timings.cachedPromptTokens
        promptSeconds = result.timings.promptSeconds
        draftProposed = result.timings.draftProposed
        draftAccepted = result.timings.draftAccepted
    }

    /// Adds one streamed token to a choice still being generated.
    mutating func append(_ token: GeneratedToken) {
        tokens.append(token)
        text += token.text
        completionTokens += 1
    }

    /// OpenAI's `finish_reason` (a generation cut short by the server counts as `length`).
    var finishReasonText: String {
        switch finishReason {
        case .stop: return "stop"
        case .length, .cancelled: return "length"
        }
    }
}
