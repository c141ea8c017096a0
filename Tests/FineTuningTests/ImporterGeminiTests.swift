import FineTuning
import Foundation
import Testing

@Suite("Gemini Takeout importer")
struct ImporterGeminiTests {
    static func fixture() throws -> Data {
        try Data(contentsOf: ImporterTests.fixtures.appendingPathComponent("gemini-my-activity.json"))
    }

    @Test func promptsAreOrderedOldestFirstAndSplitByTheGap() throws {
        let conversations = try GeminiTakeoutImporter.conversations(from: Self.fixture())
        // "Gave feedback", "Used Gemini Apps" and the unanswered "Draw a cat" are skipped; 09:00, 09:20 and
        // 09:45 are each ≤ 30 minutes from the previous prompt; 10:30 is 45 minutes later.
        #expect(conversations.map(ImporterTests.turns) == [
            [
                "user: Hello Gemini",
                "assistant: Hello! How can I help you today?",
                "user: How do I boil an egg?\nSoft, please.",
                "assistant: Soft-boiled egg\n\n- Boil water.\n- Cook the egg for 6 minutes.\n\nCool it in \"ice water\" <1 min>.",
                "user: Convert 72 °F to Celsius",
                "assistant: 72 °F is about 22.2 °C.\nFormula: C = (F − 32) × 5 / 9",
            ],
            [
                "user: What is a good name for a cat?",
                "assistant: Some ideas:\n\n- Miso\n- Pepper & Salt\n\nPick one you like.",
                "user: Thanks! Anything else?",
                "assistant: You're welcome 😀 &mdash; have fun.",
            ],
        ])
        #expect(conversations.map(\.id) == ["gemini-2024-05-01T09:00:00.000Z", "gemini-2024-05-01T10:30:00Z"])
        #expect(conversations[0].title == "Hello Gemini" && conversations[0].source == "gemini")
        #expect(conversations[0].created == 1_714_554_000)
        #expect(conversations[1].turns[2].time == 1_714_559_470.512)
    }

    @Test func theGapIsConfigurable() throws {
        let conversations = try GeminiTakeoutImporter.conversations(from: Self.fixture(), gap: 10 * 60)
        #expect(conversations.map { $0.turns.filter { $0.role == .user }.map(\.text) } == [
            ["Hello Gemini"], ["How do I boil an egg?\nSoft, please."], ["Convert 72 °F to Celsius"],
            ["What is a good name for a cat?", "Thanks! Anything else?"],
        ])
    }

    @Test func badItemsAreReportedWithTheirPosition() throws {
        let noTime = #"[{"title": "Prompted Hi", "safeHtmlItem": [{"html": "<p>Hello</p>"}]}]"#
        #expect(throws: ImportError.badRecord(path: "My Activity.json", location: "item 1 (byte 1)", reason: "no ISO-8601 \"time\"")) {
            _ = try GeminiTakeoutImporter.conversations(from: Data(noTime.utf8))
        }
        #expect(throws: ImportError.self) { _ = try GeminiTakeoutImporter.conversations(from: Data(#"[{"title": "Prompted Hi""#.utf8)) }
        #expect(try GeminiTakeoutImporter.conversations(from: Data("[]".utf8)).isEmpty)
    }

    @Test func htmlBecomesPlainText() {
        #expect(HTMLText.plainText("<p>One   two\nthree</p><p>Four<br/>five</p>") == "One two three\n\nFour\nfive")
        #expect(HTMLText.plainText("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>") == "- a\n  - b\n- c")
        #expect(HTMLText.plainText("<h3>Title</h3><div>x</div><div>y</div>") == "Title\n\nx\ny")
        #expect(HTMLText.plainText("<pre><code>let x = 1\n    y()</code></pre><p>after</p>") == "let x = 1\n    y()\n\nafter")
        #expect(HTMLText.plainText("&amp;&lt;&gt;&quot;&#39;&#233;&#xE9;&nbsp;x &copy; &#xZZ; &unknown") == "&<>\"'éé x &copy; &#xZZ; &unknown")
        #expect(HTMLText.plainText("<style>p { color: red }</style><script>alert(1)</script>shown") == "shown")
        #expect(HTMLText.plainText("a < b and c > d") == "a < b and c > d")
    }
}
