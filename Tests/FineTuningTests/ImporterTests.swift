import FineTuning
import Foundation
import Testing

@Suite("Importers")
struct ImporterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func turns(_ c: Conversation) -> [String] { c.turns.map { "\($0.role.rawValue): \($0.text)" } }

    @Test func chatGPTTreesAreLinearizedFromTheCurrentNode() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("chatgpt-conversations.json"))
        let conversations = try ChatGPTImporter.conversations(from: data)
        #expect(conversations.count == 2)
        // The edited branch (u1b), not children[0]; hidden system, editable context, thoughts, the tool call and
        // its output dropped; the image becomes a placeholder.
        #expect(Self.turns(conversations[0]) == [
            "user: [image]\nWhat is in this picture, and what is 2+2?",
            "assistant: A cat. And 2+2 is 4.",
        ])
        #expect(conversations[0].id == "c1" && conversations[0].title == "Edited question with a tool call")
        #expect(conversations[0].created == 1_700_000_000.25)
        #expect(conversations[0].turns[1].time == 1_700_000_005)
        // Without current_node: the newest leaf; a user-written system message is kept.
        #expect(Self.turns(conversations[1]) == ["system: Answer in French.", "user: Say hello.", "assistant: Bonjour !"])
    }

    @Test func claudeBranchesFollowTheNewestLeafAndKeepAttachments() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("claude-conversations.json"))
        let conversations = try ClaudeImporter.conversations(from: data)
        #expect(Self.turns(conversations[0]) == [
            "user: Summarize this file.\n\n[notes.txt]\nMeeting at noon.",
            "assistant: A meeting happens at noon.",
            "user: Thanks!",
            "assistant: You are welcome.",
        ])
        #expect(conversations[0].created == 1_714_557_600)
        #expect(Self.turns(conversations[1]) == ["user: First question?", "assistant: First answer."])
    }

    @Test func openAIJSONLRoundTripsAndReportsBadLines() throws {
        let text = #"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello there."}]}"# + "\n\n"
        let conversations = try OpenAIChatJSONL.conversations(from: Data(text.utf8))
        #expect(conversations[0].openAIJSONLine() == #"{"messages":[{"content":"Hi","role":"user"},{"content":"Hello there.","role":"assistant"}]}"#)
        #expect(throws: ImportError.badRecord(path: "openai.jsonl", location: "line 2", reason: #"not an object with a "messages" array"#)) {
            _ = try OpenAIChatJSONL.conversations(from: Data((text.trimmingCharacters(in: .newlines) + "\n{oops\n").utf8))
        }
        #expect(throws: ImportError.self) { _ = try ChatGPTImporter.conversations(from: Data("{\"x\":1}".utf8)) }
        #expect(throws: ImportError.self) { _ = try ClaudeImporter.conversations(from: Data("not json".utf8)) }
    }
}
