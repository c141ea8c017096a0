/// Token accounting of one request.
struct Usage: Encodable, Sendable, Equatable {
    let promptTokens: Int
    let completionTokens: Int
    var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
    }

    init(promptTokens: Int, outputs: [ChoiceOutput]) {
        self.promptTokens = promptTokens
        self.completionTokens = outputs.reduce(0) { $0 + $1.completionTokens }
    }
}
