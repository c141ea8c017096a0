import Engine
import Gateway

extension ChatReply {
    /// The message of a finished choice: its text, or, with tools, its content and calls (`finish_reason`
    /// `tool_calls` when it calls any).
    func message(_ output: ChoiceOutput) -> (ChatCompletionResponse.Message, String) {
        guard let tools else { return (.init(content: output.text), output.finishReasonText) }
        let (content, calls) = tools.parse(output.text)
        guard !calls.isEmpty else { return (.init(content: content), output.finishReasonText) }
        let objects = calls.map { ToolCallObject(id: callID(), name: $0.name, arguments: $0.arguments) }
        return (.init(content: content.isEmpty ? nil : content, toolCalls: objects), "tool_calls")
    }

    /// A new call id, `call_` and 24 hexadecimal digits like OpenAI's.
    func callID() -> String {
        "call_" + state.makeID("").dropFirst()
    }

    /// The chunks for what a streamed choice's tool parser yields: content deltas, and for each call one chunk with
    /// its index, id, type and name, then one with its arguments (OpenAI's SDKs concatenate a call's pieces by index).
    func toolChunks(_ events: [ToolStreamEvent], index: Int, calls: inout Int, logprobs: ChatLogprobs?) -> [ChatCompletionChunk] {
        var chunks: [ChatCompletionChunk] = []
        var logprobs = logprobs
        for event in events {
            switch event {
            case let .content(text):
                chunks.append(chunk([.init(index: index, delta: .init(content: text), logprobs: logprobs)]))
                logprobs = nil
            case let .call(call):
                let header = ToolCallDelta(index: calls, id: callID(), type: "function", function: .init(name: call.name, arguments: ""))
                let arguments = ToolCallDelta(index: calls, function: .init(arguments: call.arguments))
                chunks.append(chunk([.init(index: index, delta: .init(toolCalls: [header]))]))
                chunks.append(chunk([.init(index: index, delta: .init(toolCalls: [arguments]))]))
                calls += 1
            }
        }
        return chunks
    }
}
