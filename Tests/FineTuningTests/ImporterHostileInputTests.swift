import FineTuning
import Foundation
import Testing

/// Damaged exports never crash an importer: every truncation point of a fixture and thousands of random
/// byte changes either import or throw a typed `ImportError` (the test process would die on a trap).
@Suite("Hostile inputs")
struct ImporterHostileInputTests {
    typealias Importer = @Sendable (Data) throws(ImportError) -> [Conversation]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let cases: [(String, String)] = [
        ("chatgpt", "chatgpt-conversations.json"), ("claude", "claude-conversations.json"),
        ("gemini", "gemini-my-activity.json"), ("sharegpt", "sharegpt.json"), ("sharegpt", "sharegpt.jsonl"),
        ("alpaca", "alpaca.jsonl"), ("text", "qa.txt"), ("openai", "curation-input.jsonl"),
    ]

    static func importer(_ format: String) -> Importer {
        switch format {
        case "chatgpt": return { (d) throws(ImportError) in try ChatGPTImporter.conversations(from: d) }
        case "claude": return { (d) throws(ImportError) in try ClaudeImporter.conversations(from: d) }
        case "gemini": return { (d) throws(ImportError) in try GeminiTakeoutImporter.conversations(from: d) }
        case "sharegpt": return { (d) throws(ImportError) in try ShareGPTImporter.conversations(from: d) }
        case "alpaca": return { (d) throws(ImportError) in try AlpacaImporter.conversations(from: d) }
        case "text": return { (d) throws(ImportError) in try PlainTextQAImporter.conversations(from: d) }
        default: return { (d) throws(ImportError) in try OpenAIChatJSONL.conversations(from: d) }
        }
    }

    /// A fixed-seed generator so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: cases)
    func damagedCopiesImportOrFailCleanly(format: String, fixture: String) throws {
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent(fixture))
        let run = Self.importer(format)
        var outcomes = (imported: 0, rejected: 0)
        func attempt(_ data: Data) {
            do {
                _ = try run(data)
                outcomes.imported += 1
            } catch {
                #expect(!error.description.isEmpty)
                outcomes.rejected += 1
            }
        }
        attempt(original)
        #expect(outcomes.imported == 1, "the intact fixture imports")
        for length in stride(from: 0, to: original.count, by: max(1, original.count / 400)) { attempt(original.prefix(length)) }
        var random = SplitMix(state: UInt64(fixture.utf8.count) &* 7919)
        let specials: [UInt8] = Array("{}[]\",:\\\n\r0 -.eE".utf8) + [0, 0xFF, 0xC3, 0x80]
        for _ in 0..<1500 {
            var bytes = [UInt8](original)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let i = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[i] = specials.randomElement(using: &random)!
                case 1: bytes.remove(at: i)
                default: bytes.insert(specials.randomElement(using: &random)!, at: i)
                }
            }
            attempt(Data(bytes))
        }
        #expect(outcomes.rejected > 0, "damage is noticed: \(outcomes)")
    }
}
