import FineTuning
import Foundation
import Testing

@Suite("ShareGPT, Alpaca and plain-text importers")
struct ImporterFormatsTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: ImporterTests.fixtures.appendingPathComponent(name))
    }

    @Test func shareGPTArrayMapsEveryRole() throws {
        let conversations = try ShareGPTImporter.conversations(from: Self.fixture("sharegpt.json"))
        // The third record has only an empty turn and is skipped.
        #expect(conversations.map(ImporterTests.turns) == [
            ["system: You are a terse assistant.", "user: Capital of France?", "assistant: Paris.",
             "user: And of Spain?", "assistant: Madrid."],
            ["user: What's the weather in Oslo?", #"assistant: {"name": "weather", "arguments": {"city": "Oslo"}}"#,
             #"tool: {"temp_c": 4}"#, "assistant: It is 4 °C in Oslo."],
        ])
        #expect(conversations.map(\.id) == ["sg-1", "sharegpt-2"])
    }

    @Test func shareGPTJSONLinesAndBadRecords() throws {
        let conversations = try ShareGPTImporter.conversations(from: Self.fixture("sharegpt.jsonl"))
        #expect(conversations.map(ImporterTests.turns) == [
            ["user: Hi!", "assistant: Hello, how can I help?"],
            ["tool: 42 rows", "user: Count them", "assistant: There are 42."],
        ])
        #expect(conversations.map(\.id) == ["line-a", "42"])
        let bad = #"{"conversations": [{"from": "human", "value": "a"}]}"# + "\n" + #"{"conversations": [{"from": "bot", "value": "b"}]}"#
        #expect(throws: ImportError.badRecord(path: "x.jsonl", location: "line 2", reason: #"message 1 has an unknown speaker "bot""#)) {
            _ = try ShareGPTImporter.conversations(from: Data(bad.utf8), name: "x.jsonl")
        }
        #expect(throws: ImportError.badRecord(path: "x.json", location: "element 1 (byte 1)", reason: #"expected an object with a "conversations" array"#)) {
            _ = try ShareGPTImporter.conversations(from: Data(#"[{"messages": []}]"#.utf8), name: "x.json")
        }
        #expect(throws: ImportError.self) { _ = try ShareGPTImporter.conversations(from: Data("{oops\n".utf8)) }
    }

    @Test func alpacaRecordsBecomeHistoryThenInstructionAndOutput() throws {
        let conversations = try AlpacaImporter.conversations(from: Self.fixture("alpaca.jsonl"))
        #expect(conversations.map(ImporterTests.turns) == [
            ["user: Translate to French.\n\nGood morning", "assistant: Bonjour"],
            ["user: Name a prime number.", "assistant: 7"],
            ["system: You are a math tutor.", "user: Name a prime number.", "assistant: 7",
             "user: Is 9 prime?", "assistant: No, 9 = 3 × 3.", "user: And the next one?", "assistant: 11"],
        ])
        #expect(conversations.map(\.id) == ["alpaca-1", "alpaca-2", "alpaca-3"])
        let array = #"[{"instruction": "Say hi", "input": "to Ana", "output": "Hi Ana!"}]"#
        #expect(try AlpacaImporter.conversations(from: Data(array.utf8)).map(ImporterTests.turns) == [["user: Say hi\n\nto Ana", "assistant: Hi Ana!"]])
        #expect(throws: ImportError.badRecord(path: "a.jsonl", location: "line 1", reason: #"no string "output""#)) {
            _ = try AlpacaImporter.conversations(from: Data(#"{"instruction": "x"}"#.utf8), name: "a.jsonl")
        }
        #expect(throws: ImportError.badRecord(path: "a.jsonl", location: "line 1", reason: "history entry 1 is not a [question, answer] pair of strings")) {
            _ = try AlpacaImporter.conversations(from: Data(#"{"instruction": "x", "output": "y", "history": [["only one"]]}"#.utf8), name: "a.jsonl")
        }
    }

    @Test func plainTextBlocksBecomeConversationsWithMultiLineTurns() throws {
        let conversations = try PlainTextQAImporter.conversations(from: Self.fixture("qa.txt"))
        #expect(conversations.map(ImporterTests.turns) == [
            ["user: What is the boiling point of water?", "assistant: 100 °C at sea level.\nIt is lower at altitude.",
             "user: Why?", "assistant: Air pressure is lower.\n\n   The water molecules escape more easily."],
            ["user: Write a haiku about rain.", "assistant: Soft rain on the roof\ngrey clouds hum a lullaby\npuddles keep the sky"],
            ["user: thanks", "assistant: You're welcome."],
        ])
        #expect(conversations.map(\.id) == ["text-1", "text-2", "text-3"])
        #expect(throws: ImportError.badRecord(path: "n.txt", location: "line 2", reason: "text before the first Q:/A: (or User:/Assistant:) marker")) {
            _ = try PlainTextQAImporter.conversations(from: Data("\nHello there\nQ: hi\nA: yo\n".utf8), name: "n.txt")
        }
        #expect(try PlainTextQAImporter.conversations(from: Data("Q: a\r\nA: b\r\n---\r\n---\r\n".utf8)).map(ImporterTests.turns) == [["user: a", "assistant: b"]])
    }

    @Test func everyFormatStreamsThroughTheImporter() throws {
        let cases: [(String, ExportFormat, Int)] = [
            ("sharegpt.json", .sharegpt, 2), ("sharegpt.jsonl", .sharegpt, 2), ("alpaca.jsonl", .alpaca, 3),
            ("qa.txt", .text, 3), ("gemini-my-activity.json", .gemini, 2),
        ]
        for (name, format, expected) in cases {
            var count = 0
            try ExportImporter.forEachConversation(in: ImporterTests.fixtures.appendingPathComponent(name),
                                                   configuration: ExportImportConfiguration(format: format)) { _ in count += 1 }
            #expect(count == expected, "\(name)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openai-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        try Data((#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Yo"}]}"# + "\n\n{oops}\n").utf8).write(to: input)
        #expect(throws: ImportError.badRecord(path: input.path, location: "line 3", reason: #"not an object with a "messages" array"#)) {
            try ExportImporter.forEachConversation(in: input, configuration: ExportImportConfiguration(format: .openai)) { _ in }
        }
        let pretty = directory.appendingPathComponent("pretty.json")
        try Data("[\n {\"messages\": [\n  {\"role\": \"user\", \"content\": \"Hi\"},\n  {\"role\": \"assistant\", \"content\": \"Hello\"}]}\n]\n".utf8).write(to: pretty)
        var turns: [[String]] = []
        try ExportImporter.forEachConversation(in: pretty, configuration: ExportImportConfiguration(format: .openai)) { turns.append(ImporterTests.turns($0)) }
        #expect(turns == [["user: Hi", "assistant: Hello"]])
    }
}
