/// Token accounting of one request.
struct Usage: Encodable, Sendable, Equatable {
    let promptTokens: Int
    let completionTokens: Int
    /// Prompt tokens served from the prefix cache (OpenAI's `prompt_tokens_details.cached_tokens`).
    var cachedTokens = 0
    var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }

    private enum DetailKeys: String, CodingKey { case cachedTokens = "cached_tokens" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        var details = c.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptTokensDetails)
        try details.encode(cachedTokens, forKey: .cachedTokens)
    }

    init(promptTokens: Int, outputs: [ChoiceOutput]) {
        self.promptTokens = promptTokens
        self.completionTokens = outputs.reduce(0) { $0 + $1.completionTokens }
        // Choices share one prompt: count what the best of them reused.
        self.cachedTokens = min(promptTokens, outputs.map(\.cachedPromptTokens).max() ?? 0)
    }
}
