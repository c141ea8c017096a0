import FineTuning
import Foundation
import Testing

@Suite("Dataset statistics")
struct StatsTests {
    @Test func fixtureNumbers() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let a = #"{"messages":[{"role":"user","content":"Mail [EMAIL] or call [PHONE]."},{"role":"assistant","content":"Done: I wrote to [EMAIL]."}]}"#
        let b = #"{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello there, friend."},{"role":"user","content":"Bye"},{"role":"assistant","content":"Goodbye!"}]}"#
        let c = #"{"messages":[{"role":"user","content":"Mail [EMAIL] or call [PHONE]!"},{"role":"assistant","content":"Done: I wrote to [EMAIL]."}]}"#
        let file = try scratch.write("stats.jsonl", [a, b, a, c].joined(separator: "\n") + "\n")
        let stats = try DatasetStatistics(file: file)
        #expect(stats.conversations == 4)
        #expect(stats.turnsByRole == ["system": 1, "user": 5, "assistant": 5])
        #expect(stats.exactDuplicates == 1)
        #expect(stats.nearDuplicates == 1)      // c differs from a only by punctuation
        #expect(stats.placeholders == ["EMAIL": 6, "PHONE": 3])
        // Characters: a = 29 + 25 = 54, c = 54, b = 9 + 2 + 20 + 3 + 8 = 42.
        #expect(stats.characters.min == 42)
        #expect(stats.characters.max == 54)
        #expect(stats.characters.median == 54)
        #expect(stats.characters.total == 204)
        let characterBuckets: [DatasetStatistics.Distribution.Bucket] = [.init(from: 32, to: 63, count: 4)]
        #expect(stats.characters.histogram == characterBuckets)
        // Tokens ≈ ⌈bytes / 4⌉ per turn: a = 8 + 7 = 15; b = 3 + 1 + 5 + 1 + 2 = 12.
        #expect(stats.tokens.min == 12)
        #expect(stats.tokens.max == 15)
        #expect(stats.tokens.p95 == 15)
        let turnBuckets: [DatasetStatistics.Distribution.Bucket] = [.init(from: 2, to: 2, count: 3), .init(from: 3, to: 3, count: 0), .init(from: 4, to: 4, count: 0), .init(from: 5, to: 5, count: 1)]
        #expect(stats.turnsPerConversation.histogram == turnBuckets)
        let counted = try DatasetStatistics(file: file, tokenCount: { $0.split(separator: " ").count })
        #expect(counted.tokenMethod == "counted")
        #expect(counted.tokens.max == 10)

        let text = stats.text
        #expect(text.contains("conversations: 4"))
        #expect(text.contains("assistant 5, 45.5%"))
        #expect(text.contains("[EMAIL] 6, [PHONE] 3"))
        #expect(text.contains("32–63 4 ████████████████████████████████████████"))
        let json = try JSONEncoder().encode(stats)
        let decoded = try JSONDecoder().decode(DatasetStatistics.self, from: json)
        #expect(decoded == stats)
    }
}
