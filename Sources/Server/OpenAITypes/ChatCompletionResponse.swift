/// A non-streamed chat completion (`object: "chat.completion"`).
struct ChatCompletionResponse: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        let role = "assistant"
        /// nil (`null`) for an answer that is only tool calls.
        let content: String?
        /// The functions the answer calls; absent when none.
        var toolCalls: [ToolCallObject]? = nil

        enum CodingKeys: String, CodingKey { case role, content, refusal, toolCalls = "tool_calls" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(content, forKey: .content)
            try c.encodeNil(forKey: .refusal)
            try c.encodeIfPresent(toolCalls, forKey: .toolCalls)
        }
    }

    struct Choice: Encodable, Sendable {
        let index: Int
        let message: Message
        let logprobs: ChatLogprobs?
        let finishReason: String

        enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    let id: String
    let object = "chat.completion"
    let created: Int
    let model: String
    let systemFingerprint: String
    let choices: [Choice]
    let usage: Usage
    /// Routing details (`model`, `tier`, `complexity`, `cache`, `escalations`, `latency_ms`).
    let groupqwen: RoutingInfo

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, groupqwen, systemFingerprint = "system_fingerprint"
    }
}
