/// One server-sent event of a streamed chat completion (`object: "chat.completion.chunk"`).
struct ChatCompletionChunk: Encodable, Sendable {
    struct Delta: Encodable, Sendable {
        var role: String?
        var content: String?
        var toolCalls: [ToolCallDelta]?

        enum CodingKeys: String, CodingKey { case role, content, toolCalls = "tool_calls" }
    }

    struct Choice: Encodable, Sendable {
        let index: Int
        let delta: Delta
        var logprobs: ChatLogprobs?
        var finishReason: String?

        enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    let id: String
    let object = "chat.completion.chunk"
    let created: Int
    let model: String
    let systemFingerprint: String
    var choices: [Choice]
    /// Set on the final usage chunk; `null` on the others when usage was requested, absent otherwise.
    var usage: Usage?
    var includeUsage: Bool
    /// Routing details, on the last chunk only.
    var groupqwen: RoutingInfo? = nil

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, groupqwen, systemFingerprint = "system_fingerprint"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(systemFingerprint, forKey: .systemFingerprint)
        try c.encode(choices, forKey: .choices)
        if includeUsage { try c.encode(usage, forKey: .usage) }
        try c.encodeIfPresent(groupqwen, forKey: .groupqwen)
    }
}
