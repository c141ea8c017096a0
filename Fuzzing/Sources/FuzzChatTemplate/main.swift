import FuzzSupport
import Tokenizers

// The chat-template interpreter on arbitrary template text: lexer, parser and evaluator with the default limits
// (the ones a served model's template runs under), rendering a small fixed conversation with a system prompt, a
// tool definition, an assistant tool call and its result, with and without the generation prompt. Any error is
// fine; a crash, a sanitizer report, a hang (libFuzzer's -timeout) or memory beyond -rss_limit_mb is a finding.

let messages = [
    ChatMessage(role: "system", content: "You are a helpful assistant."),
    ChatMessage(role: "user", content: "What is the weather in Paris? Answer in <b>one</b> line."),
    ChatMessage(role: "assistant", content: "",
                toolCalls: [ChatToolCall(id: "call_1", name: "get_weather", arguments: #"{"city": "Paris", "days": [1, 2]}"#)]),
    ChatMessage(role: "tool", content: #"{"temperature": 18, "unit": "C"}"#, toolCallID: "call_1", name: "get_weather"),
    ChatMessage(role: "assistant", content: "18 °C in Paris 😀"),
    ChatMessage(role: "user", content: "  Thanks!\n"),
]
let tools = try! TemplateValue.parseJSON(#"""
[{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
  "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "array", "items": {"type": "integer"}}},
  "required": ["city"]}}}]
"""#)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChatTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let template = try? ChatTemplate(source: source) else { return 0 }
    _ = template.rendersTools
    for addGenerationPrompt in [true, false] {
        _ = try? template.render(messages: messages, addGenerationPrompt: addGenerationPrompt, bosToken: "<s>", eosToken: "</s>",
                                 extra: addGenerationPrompt ? ["tools": tools] : [:])
    }
    return 0
}

runFuzzer(fuzzChatTemplate)
