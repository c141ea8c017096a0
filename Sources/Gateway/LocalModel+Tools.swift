import Tokenizers

extension LocalModel {
    /// Whether the model's own chat template lists tools (Qwen2.5); otherwise they go through the fallback prompt.
    public var templateRendersTools: Bool { chatTemplate?.rendersTools ?? false }

    /// The prompt of a conversation with tools (or with earlier calls and their results), rendered as
    /// ``ToolCallFormat`` describes, then `prefill` (e.g. `<tool_call>\n` when a call is required) as the start of
    /// the answer.
    public func toolPromptIDs(messages: [ChatMessage], tools: [ToolDefinition], prefill: String = "") throws -> [Int32] {
        let rendered: String
        if templateRendersTools {
            rendered = try renderChat(messages: messages, extra: tools.isEmpty ? [:] : ["tools": .array(tools.map(\.templateValue))])
        } else {
            rendered = try renderChat(messages: ToolCallFormat.fallbackMessages(messages, tools: tools))
        }
        return tokenizeChat(rendered + prefill)
    }
}
