import FineTuning
import Foundation
import Testing

@Suite("Interactive review")
struct ReviewTests {
    static let conversations = (1...4).map { i in
        Conversation(id: "c\(i)", title: "Chat \(i)", source: "test", turns: [
            .init(role: .user, text: "Question \(i)?"), .init(role: .assistant, text: "Answer \(i), " + String(repeating: "long ", count: 200)),
        ])
    }

    @Test func scriptedSessionKeepsSkipsEditsQuitsAndResumes() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let reviewer = ConversationReviewer(conversations: Self.conversations, stateURL: scratch.file("state.json"), outputURL: scratch.file("out.jsonl"))

        var script = ScriptedLines([" K\r", "maybe", "s", "e", "7", "2", "A short, better answer.", "q"])
        var screen = CollectedText()
        let first = try reviewer.run(input: &script, output: &screen)
        #expect(first == .init(kept: 1, edited: 1, skipped: 1, finished: false))
        #expect(screen.text.contains("── Conversation 1 of 4: Chat 1 ──\n  1. user: Question 1?\n  2. assistant: Answer 1,"))
        #expect(screen.text.contains("… (410 more characters)"))
        #expect(screen.text.contains("Please answer k, s, e or q."))
        #expect(screen.text.contains("No turn 7."))
        var written = try OpenAIChatJSONL.conversations(from: Data(contentsOf: scratch.file("out.jsonl")))
        #expect(written.map { $0.turns.map(\.text) } == [Self.conversations[0].turns.map(\.text), ["Question 3?", "A short, better answer."]])
        let state = try #require(try ReviewState.load(from: scratch.file("state.json")))
        #expect(state.decisions.map(\.action) == [.keep, .skip, .edit])

        // Resume: conversation 4, edited with a multi-line text.
        var more = ScriptedLines(["e", "1", "", "Question four,", "on two lines?", "."])
        let resumedScreen = CollectedText()
        var sink = resumedScreen
        let second = try reviewer.run(input: &more, output: &sink)
        #expect(second == .init(kept: 1, edited: 2, skipped: 1, finished: true))
        #expect(resumedScreen.text.hasPrefix("Resuming at conversation 4 of 4."))
        #expect(!resumedScreen.text.contains("Conversation 1 of 4"))
        written = try OpenAIChatJSONL.conversations(from: Data(contentsOf: scratch.file("out.jsonl")))
        #expect(written.map { $0.turns[0].text } == ["Question 1?", "Question 3?", "Question four,\non two lines?"])
        #expect(try DatasetValidator().validate(path: scratch.file("out.jsonl")).isValid)
    }

    @Test func endOfInputSavesAndAStaleStateIsRefused() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let reviewer = ConversationReviewer(conversations: Self.conversations, stateURL: scratch.file("state.json"), outputURL: scratch.file("out.jsonl"))
        var script = ScriptedLines(["keep"])
        var screen = CollectedText()
        #expect(try reviewer.run(input: &script, output: &screen) == .init(kept: 1, edited: 0, skipped: 0, finished: false))
        let other = ConversationReviewer(conversations: Array(Self.conversations.dropLast()), stateURL: scratch.file("state.json"), outputURL: scratch.file("out.jsonl"))
        var again = ScriptedLines(["k"])
        #expect(throws: DatasetError.self) { try other.run(input: &again, output: &screen) }
    }
}
