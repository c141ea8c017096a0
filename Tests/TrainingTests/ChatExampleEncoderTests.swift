import GGUF
import Testing
import Tokenizers
@testable import Training

/// The loss mask on the real chat templates of the three served models: exactly the assistant text and the
/// tokens that close its turn carry weight, everything the template writes around it does not.
@Suite("Chat example encoding")
struct ChatExampleEncoderTests {
    static let twoTurns = ChatExample(messages: [
        .init(role: "user", content: "What is 2+2?"),
        .init(role: "assistant", content: "It is 4."),
        .init(role: "user", content: "And 3+3?"),
        .init(role: "assistant", content: "6"),
    ])

    /// The token texts of each run of weighted tokens.
    static func targetRuns(_ encoded: EncodedExample, _ tokenizer: Tokenizer) -> [[String]] {
        var runs: [[String]] = []
        var current: [String] = []
        for (id, weight) in zip(encoded.ids, encoded.targetWeights) {
            if weight > 0 {
                current.append(tokenizer.tokenText(id))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// What the server would send for the first assistant turn: the prompt rendered with the generation
    /// prompt, tokenized with special tokens, BOS once.
    static func serverPrompt(_ encoder: ChatExampleEncoder, _ messages: [ChatExample.Message]) throws -> [Int32] {
        let text = try encoder.render(messages.map { ChatMessage(role: $0.role, content: $0.content) }, addGenerationPrompt: true)
        var ids = encoder.tokenizer.encode(text, parseSpecial: true)
        if encoder.tokenizer.addBOS, let bos = encoder.tokenizer.bosID, ids.first != bos { ids.insert(bos, at: 0) }
        return ids
    }

    /// Checks what every model must satisfy and returns the target runs.
    static func check(_ encoder: ChatExampleEncoder, _ example: ChatExample = twoTurns) throws -> [[String]] {
        let encoded = try encoder.encode(example)
        #expect(encoded.ids.count == encoded.targetWeights.count)
        #expect(encoded.targetWeights[0] == 0)
        #expect(encoded.targetWeights.allSatisfy { $0 == 0 || $0 == 1 })
        // The whole conversation is tokenized as the server tokenizes a rendered chat.
        let full = try encoder.render(example.messages.map { ChatMessage(role: $0.role, content: $0.content) }, addGenerationPrompt: false)
        var whole = encoder.tokenizer.encode(full, parseSpecial: true)
        if encoder.tokenizer.addBOS, let bos = encoder.tokenizer.bosID, whole.first != bos { whole.insert(bos, at: 0) }
        #expect(encoded.ids == whole)
        // The tokens before the first target are exactly the server's prompt for the first trained assistant turn.
        let first = try #require(encoded.firstTargetIndex)
        let firstTrained = try #require(example.messages.firstIndex { $0.isTrained })
        #expect(Array(encoded.ids[..<first]) == (try serverPrompt(encoder, Array(example.messages[..<firstTrained]))))
        return targetRuns(encoded, encoder.tokenizer)
    }

    @Test("SmolLM2: assistant text, <|im_end|> and its newline")
    func smolLM2() throws {
        let encoder = try ChatExampleEncoder(gguf: try TestModels.gguf("smollm2-135m"))
        #expect(encoder.template != nil)
        #expect(try Self.check(encoder) == [
            ["It", "Ġis", "Ġ", "4", ".", "<|im_end|>", "Ċ"],
            ["6", "<|im_end|>", "Ċ"],
        ])
        // Its default system prompt is rendered (and not learned).
        let encoded = try encoder.encode(Self.twoTurns)
        let prompt = encoder.tokenizer.decode(Array(encoded.ids[..<encoded.firstTargetIndex!]), special: true)
        #expect(prompt.contains("You are a helpful AI assistant named SmolLM"))
    }

    @Test("Qwen2.5-Coder: default system prompt injected, masked out")
    func qwen25() throws {
        let encoder = try ChatExampleEncoder(gguf: try TestModels.gguf("qwen2.5-coder-0.5b"))
        #expect(encoder.template != nil)
        #expect(try Self.check(encoder) == [
            ["It", "Ġis", "Ġ", "4", ".", "<|im_end|>", "Ċ"],
            ["6", "<|im_end|>", "Ċ"],
        ])
        let encoded = try encoder.encode(Self.twoTurns)
        let prompt = encoder.tokenizer.decode(Array(encoded.ids[..<encoded.firstTargetIndex!]), special: true)
        #expect(prompt.hasPrefix("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"))
        // A system message of its own replaces the default one.
        let withSystem = ChatExample(messages: [.init(role: "system", content: "Be terse.")] + Self.twoTurns.messages)
        let runs = try Self.check(encoder, withSystem)
        #expect(runs.count == 2)
        let ids = try encoder.encode(withSystem).ids
        #expect(!encoder.tokenizer.decode(ids, special: true).contains("You are Qwen"))
    }

    @Test("Gemma 3 270M: no template, so ChatML after one BOS")
    func gemma3() throws {
        let gguf = try TestModels.gguf("gemma3-270m")
        let encoder = try ChatExampleEncoder(gguf: gguf)
        #expect(encoder.template == nil)
        let runs = try Self.check(encoder)
        let encoded = try encoder.encode(Self.twoTurns)
        if encoder.tokenizer.addBOS { #expect(encoded.ids.first == encoder.tokenizer.bosID) }
        #expect(encoded.ids.filter { $0 == encoder.tokenizer.bosID }.count == 1)
        #expect(runs == Self.gemmaRuns)
    }

    /// Gemma's vocabulary has no `<|im_start|>` / `<|im_end|>` tokens, so ChatML's markers are plain text
    /// pieces (the server renders Gemma's prompts the same way); "." and "<" merge into one piece.
    static let gemmaRuns: [[String]] = [
        ["It", "▁is", "▁", "4", ".<", "|", "im", "_", "end", "|>", "\n"],
        ["6", "<", "|", "im", "_", "end", "|>", "\n"],
    ]

    @Test("An assistant message with weight 0 is context only")
    func weightZero() throws {
        let encoder = try TestModels.tinyEncoder()
        var example = Self.twoTurns
        example.messages[1].weight = 0
        #expect(try Self.check(encoder, example) == [["6", "<|im_end|>", "Ċ"]])
        example.messages[3].weight = 0
        #expect(throws: ChatEncodingError.noTrainedMessage) { try encoder.encode(example) }
    }

    @Test("A template that rewrites earlier turns is refused")
    func notPrefixConsistent() throws {
        let tiny = try TestModels.tinyEncoder()
        // Earlier assistant turns are rendered as a placeholder, the last one in full (as reasoning templates do).
        let source = "{% for m in messages %}<|im_start|>{{ m.role }}\n{% if m.role == 'assistant' and not loop.last %}[…]{% else %}{{ m.content }}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
        let encoder = ChatExampleEncoder(tokenizer: tiny.tokenizer, template: try ChatTemplate(source: source))
        #expect(throws: ChatEncodingError.notPrefixConsistent(message: 2, reason: "later messages change how it is rendered")) {
            try encoder.encode(Self.twoTurns)
        }
        // One assistant turn is fine.
        let single = ChatExample(messages: Array(Self.twoTurns.messages[..<2]))
        #expect(try Self.check(encoder, single) == [["It", "Ġis", "Ġ", "4", ".", "<|im_end|>", "Ċ"]])
    }

    @Test("A token straddling the prompt/answer boundary is learned, the tokens stay the server's")
    func straddlingToken() throws {
        let tiny = try TestModels.tinyEncoder()
        // No separator between the generation prompt and the answer: "…assistant" + "ship" merge into one word.
        let source = "{% for m in messages %}{{ m.role }}{{ m.content }};{% endfor %}{% if add_generation_prompt %}assistant{% endif %}"
        let encoder = ChatExampleEncoder(tokenizer: tiny.tokenizer, template: try ChatTemplate(source: source))
        let example = ChatExample(messages: [.init(role: "user", content: "hello"), .init(role: "assistant", content: "ship")])
        let encoded = try encoder.encode(example)
        #expect(encoded.ids == tiny.tokenizer.encode("userhello;assistantship;", parseSpecial: true))
        let runs = Self.targetRuns(encoded, tiny.tokenizer)
        #expect(runs.count == 1)
        #expect(runs[0].joined().hasSuffix(";"))
        #expect(runs[0].joined().contains("ship"))
    }
}
