import FineTuning
import Foundation
import Testing

@Suite("Round trip: curate → split → validate")
struct DatasetRoundTripTests {
    @Test func fixtureCuratesSplitsAndValidatesInOpenAIAndMLXLayouts() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let curated = scratch.file("curated.jsonl")
        let report = try Curator().curate(input: DatasetScratch.fixtures.appendingPathComponent("curation-input.jsonl"), output: curated)
        #expect(report.input == 12)
        #expect(report.kept == 7)
        #expect(report.removed == ["exact_duplicate": 1, "near_duplicate": 1, "refusal": 1, "apology": 1, "too_short": 1])
        #expect(report.redactions == ["EMAIL": 2, "CARD": 1, "PHONE": 1])
        let text = try String(contentsOf: curated, encoding: .utf8)
        #expect(!text.contains("marc.dupont") && !text.contains("4111") && !text.contains("555-0132"))
        #expect(try DatasetValidator().validate(path: curated).isValid)

        for format in [DatasetFormat.openai, .mlx] {
            let dir = scratch.file(format.rawValue)
            let summary = try DatasetSplitter(seed: 7, format: format).split(input: curated, into: dir)
            #expect(summary.train + summary.valid + summary.test == 7)
            #expect(summary.train == 6 && summary.valid == 1 && summary.test == 0)  // 5.6 → 6, 0.7 → 1, rest 0
            let validation = try DatasetValidator().validate(path: dir)
            #expect(validation.isValid, "\(validation.problems)")
            #expect(validation.lines == 7)
            #expect(validation.formats.values.allSatisfy { $0 == .openai })
        }
    }
}


/// A scratch directory removed by the test when done, and the fixtures folder.
struct DatasetScratch {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func write(_ name: String, _ text: String) throws -> URL {
        let target = file(name)
        try text.write(to: target, atomically: true, encoding: .utf8)
        return target
    }

    func lines(_ name: String) throws -> [String] {
        try String(contentsOf: file(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
