import Foundation
import ModelStore
import Testing
@testable import LanguageID

@Suite("Language identification")
struct LanguageIdentifierTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func profiles() throws -> URL {
        let directory = ModelStore().modelDirectory(for: LanguageIdentifier.profilesModelID)
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("en/unigrams.json.br").path) else {
            Issue.record("lingua-profiles is not fetched: run `groupqwen models fetch lingua-profiles` (the README's test command does)")
            throw CancellationError()
        }
        return directory
    }

    static let shared: Result<LanguageIdentifier, any Error> = Result { try LanguageIdentifier(profiles: profiles()) }

    static func identifier() throws -> LanguageIdentifier { try shared.get() }

    /// Sentences written for this test (one or two per language, 60+ languages, 20–200 characters).
    @Test func sentencesInSixtyLanguages() throws {
        let identifier = try Self.identifier()
        let lines = try String(contentsOf: Self.fixtures.appendingPathComponent("sentences.tsv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 1).map(String.init) }
        #expect(Set(lines.map { $0[0] }).count >= 60)
        var misses: [String] = []
        for line in lines {
            let result = identifier.detect(line[1])
            if result.language != line[0] { misses.append("\(line[0]) → \(result.language): \(line[1])") }
            #expect(result.candidates.first?.language == result.language)
            #expect(result.candidates.reduce(0) { $0 + $1.confidence } <= 1.000001)
        }
        let accuracy = Double(lines.count - misses.count) / Double(lines.count)
        #expect(accuracy >= 0.95, "\(misses)")
    }

    @Test func scriptsAndEdgeCases() throws {
        let identifier = try Self.identifier()
        let japanese = identifier.detect("東京の天気はどうですか。")
        #expect(japanese.language == "ja" && japanese.script == "Jpan" && japanese.confidence == 1)
        let chinese = identifier.detect("今天北京的天气怎么样？")
        #expect(chinese.language == "zh" && chinese.script == "Hani")
        // No profile for Kannada: the script alone names the language.
        let kannada = identifier.detect("ನಮಸ್ಕಾರ, ಹೇಗಿದ್ದೀರಿ?")
        #expect(kannada.language == "kn" && kannada.script == "Knda")
        let russian = identifier.detect("Сегодня очень холодно, и на улице идёт снег.")
        #expect(russian.language == "ru" && russian.script == "Cyrl")
        for nothing in ["", "12345 + 678 = ?", "🙂🙂 :-)"] {
            let result = identifier.detect(nothing)
            #expect(result.language == "und" && result.script == nil && result.confidence == 0 && result.candidates.isEmpty)
        }
        // Scripts no language here is written in have a script and no language.
        let runes = identifier.detect("ᚠᚢᚦᚨᚱᚲ")
        #expect(runes.language == "und")
        #expect(identifier.detect(["Guten Morgen, wie geht es dir heute?", "Buenos días, ¿cómo estás hoy?"]).map(\.language) == ["de", "es"])
        #expect(identifier.languages.count == 75)
    }

    /// The table is compiled once, reused, and compiled again when the file is damaged.
    @Test func compilesOnceAndRecoversFromADamagedTable() throws {
        let source = try Self.profiles()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("langid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for code in ["en", "de", "fr"] {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent(code), withDestinationURL: source.appendingPathComponent(code))
        }
        var reports = 0
        let first = try LanguageIdentifier(profiles: directory) { _, total in reports += 1; #expect(total == 3) }
        #expect(reports == 3 && first.languages == ["de", "en", "fr"])
        #expect(first.detect("Où est la gare, s'il vous plaît ?").language == "fr")
        let table = directory.appendingPathComponent(LanguageIdentifier.compiledName)
        _ = try LanguageIdentifier(profiles: directory) { _, _ in reports += 1 }
        #expect(reports == 3)
        try Data("GQLANG01 but not really a table".utf8).write(to: table)
        let again = try LanguageIdentifier(profiles: directory) { _, _ in reports += 1 }
        #expect(reports == 6)
        #expect(again.detect("Wo ist der Bahnhof, bitte?").language == "de")
    }

    @Test func missingProfilesAreNamed() {
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("no-profiles-\(UUID().uuidString)")
        #expect {
            _ = try LanguageIdentifier(profiles: nowhere)
        } throws: { error in
            "\(error)".contains("groupqwen models fetch lingua-profiles")
        }
    }
}
