import Foundation
import Testing
@testable import Tokenizers

/// Tool conversations rendered by Qwen2.5-Coder's template exactly as transformers renders them (jinja2, `tojson` =
/// `json.dumps`, call arguments as objects): `Tests/Fixtures/make_tool_renders.py` wrote the expected prompts.
struct ChatTemplateToolTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/templates")

    /// The fixture, parsed keeping key order (the tools are printed back in their written order).
    static func cases() throws -> [TemplateDictionary] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("qwen2.5-tool-renders.json"), encoding: .utf8)
        guard case let .array(items) = try TemplateValue.parseJSON(text) else { throw ChatTemplateError.invalidJSON("not a list") }
        return items.compactMap { if case let .dictionary(d) = $0 { d } else { nil } }
    }

    static func string(_ v: TemplateValue?) -> String? { if case let .string(s)? = v { s } else { nil } }

    static func message(_ value: TemplateValue) -> ChatMessage {
        guard case let .dictionary(m) = value else { return ChatMessage(role: "?", content: "") }
        var calls: [ChatToolCall]?
        if case let .array(items)? = m["tool_calls"] {
            calls = items.map { item in
                guard case let .dictionary(c) = item, case let .dictionary(f)? = c["function"] else { return ChatToolCall(id: "", name: "", arguments: "") }
                return ChatToolCall(id: string(c["id"]) ?? "", name: string(f["name"]) ?? "", arguments: string(f["arguments"]) ?? "")
            }
        }
        return ChatMessage(role: string(m["role"]) ?? "", content: string(m["content"]) ?? "", toolCalls: calls,
                           toolCallID: string(m["tool_call_id"]))
    }

    @Test func qwenRendersToolsCallsAndResultsLikeTransformers() throws {
        let source = try String(contentsOf: Self.fixtures.appendingPathComponent("qwen2.5-coder-0.5b-instruct-q4_k_m.jinja"), encoding: .utf8)
        let template = try ChatTemplate(source: source)
        #expect(template.rendersTools)
        let cases = try Self.cases()
        #expect(cases.count == 3)
        for (index, c) in cases.enumerated() {
            guard case let .array(messages)? = c["messages"] else { Issue.record("case \(index) has no messages"); continue }
            let tools = c["tools"] ?? .none
            let prompt = try template.render(messages: messages.map(Self.message), addGenerationPrompt: true, bosToken: "", eosToken: "",
                                             extra: ["tools": tools])
            #expect(prompt == Self.string(c["prompt"]), "case \(index)")
        }
    }

    @Test func smolLM2sTemplateDoesNotRenderTools() throws {
        let source = try String(contentsOf: Self.fixtures.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.jinja"), encoding: .utf8)
        #expect(try !ChatTemplate(source: source).rendersTools)
    }

    @Test func jsonParsingKeepsOrderAndTypes() throws {
        let value = try TemplateValue.parseJSON(#" {"b": 1, "a": [true, null, 2.5, "\u00e9\n\ud83d\ude00"], "c": {}} "#)
        #expect(value.jsonText == #"{"b": 1, "a": [true, null, 2.5, "é\n😀"], "c": {}}"#)
        for bad in ["{", #"{"a" 1}"#, "[1,]", "tru", #""\x""#, "1 2", "\"a\nb\"", String(repeating: "[", count: 200)] {
            #expect(throws: ChatTemplateError.self) { try TemplateValue.parseJSON(bad) }
        }
    }
}
