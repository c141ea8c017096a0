import FineTuning
import Foundation
import Testing

@Suite("Curation filters, token budget and streaming")
struct CurationFilterTests {
    static func conversation(_ answer: String, user: String = "Please explain this to me") -> Conversation {
        Conversation(id: UUID().uuidString, source: "test", turns: [.init(role: .user, text: user), .init(role: .assistant, text: answer)])
    }

    @Test func repetitionAndApologiesAreDropped() {
        let looping = Array(repeating: "the cat sat", count: 12).joined(separator: " ") + " on the mat today."
        let repeatedLine = (1...4).map { _ in "Please restart the router and try again." }.joined(separator: "\n")
        let code = "Close every block:\nif a {\n  if b {\n    run()\n  }\n}\n}\n}\n}"
        let fine = "Restart the router, wait a minute, then try again. If it still fails, call your provider and ask about outages."
        let input = [
            Self.conversation(looping),
            Self.conversation(repeatedLine),
            Self.conversation("I apologize, but I do not have access to your files."),
            Self.conversation("I’m sorry, but I don't know what happened there."),   // typographic apostrophe
            Self.conversation(fine),
            Self.conversation(code),                                                   // short repeated code lines are fine
        ]
        let (kept, report) = Curator().curate(input)
        #expect(kept.map(\.turns[1].text) == [fine, code])
        #expect(report.removed == ["repetition": 2, "apology": 2])
        var lenient = Curator.Configuration()
        lenient.repetitionFilter = false
        #expect(Curator(configuration: lenient).curate(Array(input.prefix(2))).kept.count == 2)
    }

    @Test func tokenBudgetUsesTheSuppliedCounter() {
        var configuration = Curator.Configuration()
        configuration.maxTokens = 12
        configuration.tokenCount = { text in text.split(separator: " ").count }
        let short = Self.conversation("Two short sentences. That is all.")                              // 5 + 6 words
        let long = Self.conversation("This answer goes on for quite a few more words than the budget allows.")
        let (kept, report) = Curator(configuration: configuration).curate([short, long])
        #expect(kept == [short])
        #expect(report.removed == ["too_many_tokens": 1])
    }

    @Test func workersDoNotChangeTheResult() {
        let input = (0..<700).map { i in
            Self.conversation(i % 7 == 0 ? "I apologize, but no answer number \(i)." : "Answer number \(i) mentions mail\(i % 50)@example.org and the value \(i * 31).", user: "Question \(i % 600) please")
        }
        var one = Curator.Configuration()
        one.workers = 1
        var two = Curator.Configuration()
        two.workers = 2
        let a = Curator(configuration: one).curate(input)
        let b = Curator(configuration: two).curate(input)
        #expect(a.kept == b.kept)
        #expect(a.report == b.report)
        #expect(a.report.redactions["EMAIL"] == a.report.kept)
    }

    @Test func curatesAFileAsAStreamAndNamesTheBadLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        let good = Self.conversation("Write to help@example.com for a refund within thirty days.")
        try (good.openAIJSONLine() + "\n\n" + good.openAIJSONLine() + "\n").write(to: input, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out.jsonl")
        let report = try Curator().curate(input: input, output: output)
        #expect(report.input == 2 && report.kept == 1 && report.removed == ["exact_duplicate": 1] && report.redactions == ["EMAIL": 1])
        let written = try OpenAIChatJSONL.conversations(from: Data(contentsOf: output))
        #expect(written.map(\.turns) == [[.init(role: .user, text: "Please explain this to me"), .init(role: .assistant, text: "Write to [EMAIL] for a refund within thirty days.")]])
        #expect(report.summary == "kept 1 of 2; removed exact_duplicate 1; redacted EMAIL 1")

        try (good.openAIJSONLine() + "\n{\"messages\": 3}\n").write(to: input, atomically: true, encoding: .utf8)
        #expect {
            try Curator().curate(input: input, output: output)
        } throws: { error in
            "\(error)".hasSuffix("in.jsonl: line 2: not an object with a \"messages\" array")
        }
    }

    @Test func streamingReaderYieldsLineNumbers() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let c = Self.conversation("An answer with \"quotes\", a tab\tand a newline\nin it, plus ünïcödé.")
        try ("\n" + c.openAIJSONLine() + "\r\n\n" + c.openAIJSONLine()).write(to: url, atomically: true, encoding: .utf8)
        var seen: [Int] = []
        try OpenAIChatJSONL.forEachConversation(in: url) { line, conversation in
            seen.append(line)
            #expect(conversation.turns == c.turns)
        }
        #expect(seen == [2, 4])
    }
}

extension CurationFilterTests {
    @Test func lineByLineRedactionMatchesAcrossLineEdges() {
        let text = "a@b.io\n10.0.0.1\r\ncall +44 20 7946 0958 or 212.555.0188\nSSN 123-45-6789, date 2024-03-15 10:30\n-----BEGIN PRIVATE KEY-----\nMIIB\n\n-----END PRIVATE KEY-----\nend"
        let (redacted, counts) = PIIRedactor().redact(text)
        #expect(redacted == "[EMAIL]\n[IP]\r\ncall [PHONE] or [PHONE]\nSSN [SSN], date 2024-03-15 10:30\n[PRIVATE_KEY]\nend")
        #expect(counts == [.email: 1, .ip: 1, .phone: 2, .ssn: 1, .privateKey: 1])
        // Numbers that only look close to a phone number or SSN stay (and skip the regular expressions).
        for plain in ["build 1234-567-89 and 12-345-6789", "call 555-01234", "v2.10.3 on 2024-03-15 at 10:30:15"] {
            #expect(PIIRedactor().redact(plain).text == plain)
        }
    }
}
