import Foundation
import GGUF
import Testing
@testable import Tokenizers

/// Byte-for-byte comparison with the prompts llama.cpp rendered from each GGUF's own chat template.
@Suite struct ChatTemplateReferenceTests {
    struct Case: Decodable {
        struct Message: Decodable { let role: String; let content: String }
        let messages: [Message]
        let prompt: String
    }

    struct Reference: Decodable {
        let chat_template: [Case]
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func cases(_ name: String) throws -> [Case] {
        let url = fixtures.appendingPathComponent(name + ".json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url)).chat_template
    }

    static func messages(_ c: Case) -> [ChatMessage] { c.messages.map { ChatMessage(role: $0.role, content: $0.content) } }

    static func ggufPath(_ relative: String) -> String {
        let home = ProcessInfo.processInfo.environment["GROUPQWEN_HOME"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".groupqwen").path
        return URL(fileURLWithPath: home).appendingPathComponent("models").appendingPathComponent(relative).path
    }

    static let models: [(reference: String, gguf: String)] = [
        ("SmolLM2-135M-Instruct.Q4_1", "smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"),
        ("qwen2.5-coder-0.5b-instruct-q4_k_m", "qwen2.5-coder-0.5b/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        ("gemma-3-270m-q4_k_m", "gemma3-270m/gemma-3-270m-q4_k_m.gguf"),
        // After the first two: `fixtureTemplatesMatchGGUF` checks only the models with a `templates/*.jinja` copy.
        ("qwen2.5-coder-1.5b-instruct-q4_k_m", "qwen2.5-coder-1.5b/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
    ]

    @Test(arguments: models.map(\.reference))
    func matchesLlamaCppFromGGUF(reference: String) throws {
        let path = Self.ggufPath(Self.models.first { $0.reference == reference }!.gguf)
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("model file \(path) is missing: run `groupqwen models fetch`")
            return
        }
        let file = try GGUFFile(path: path)
        let tokens = try #require(try file.strings("tokenizer.ggml.tokens"))
        let bos = file.int("tokenizer.ggml.bos_token_id").map { tokens[$0] } ?? ""
        let eos = file.int("tokenizer.ggml.eos_token_id").map { tokens[$0] } ?? ""
        let template = try file.string("tokenizer.chat_template").map { source throws(ChatTemplateError) in try ChatTemplate(source: source) }
        if reference.hasPrefix("gemma") { #expect(template == nil) }
        for c in try Self.cases(reference) {
            let messages = Self.messages(c)
            let rendered = try template?.render(messages: messages, addGenerationPrompt: true, bosToken: bos, eosToken: eos)
                ?? ChatTemplate.chatML(messages: messages, addGenerationPrompt: true)
            #expect(rendered == c.prompt)
        }
    }

    @Test(arguments: ["SmolLM2-135M-Instruct.Q4_1", "qwen2.5-coder-0.5b-instruct-q4_k_m"])
    func matchesLlamaCppFromFixtureTemplate(reference: String) throws {
        let url = Self.fixtures.appendingPathComponent("templates/\(reference).jinja")
        let template = try ChatTemplate(source: String(contentsOf: url, encoding: .utf8))
        for c in try Self.cases(reference) {
            let rendered = try template.render(messages: Self.messages(c), addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
            #expect(rendered == c.prompt)
        }
    }

    @Test func fixtureTemplatesMatchGGUF() throws {
        for (reference, gguf) in Self.models.prefix(2) {
            let path = Self.ggufPath(gguf)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let url = Self.fixtures.appendingPathComponent("templates/\(reference).jinja")
            #expect(try GGUFFile(path: path).string("tokenizer.chat_template") == String(contentsOf: url, encoding: .utf8))
        }
    }

    @Test func qwenToolCallsAndToolResponses() throws {
        let url = Self.fixtures.appendingPathComponent("templates/qwen2.5-coder-0.5b-instruct-q4_k_m.jinja")
        let template = try ChatTemplate(source: String(contentsOf: url, encoding: .utf8))
        let call: TemplateValue = ["function": ["name": "add", "arguments": ["a": 1, "b": 2]]]
        let messages: TemplateValue = [
            ["role": "user", "content": "Add 1 and 2"],
            ["role": "assistant", "content": "", "tool_calls": [call]],
            ["role": "tool", "content": "3"],
        ]
        let tools: TemplateValue = [["type": "function", "function": ["name": "add"]]]
        let out = try template.render(context: ["messages": messages, "tools": tools, "add_generation_prompt": true])
        #expect(out.hasPrefix("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools"))
        #expect(out.contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"add\"}}\n</tools>"))
        #expect(out.contains("<|im_start|>assistant\n<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}\n</tool_call><|im_end|>\n"))
        #expect(out.hasSuffix("<|im_start|>user\n<tool_response>\n3\n</tool_response><|im_end|>\n<|im_start|>assistant\n"))
    }
}
