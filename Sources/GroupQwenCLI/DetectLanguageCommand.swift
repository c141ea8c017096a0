import ArgumentParser
import Foundation
import LanguageID
import ModelStore

/// `groupqwen detect-language [--json] TEXT…` and `groupqwen detect-language --eval FILE`: language identification
/// from the command line, and its accuracy on a labelled set.
struct DetectLanguageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect-language",
        abstract: "Identify the language and script of texts (75 languages by n-gram profiles, more by script).",
        discussion: """
            --eval FILE reads lines `CODE<TAB>TEXT` (ISO 639-1 codes as the server answers them) and prints the accuracy, \
            the mistakes and the mean time per text.
            """)

    @Flag(help: "Print the server's JSON shape ({\"results\": [{\"language\", \"confidence\", \"script\", \"candidates\"}]}).")
    var json = false

    @Option(help: "A labelled file to score: one `CODE<TAB>TEXT` per line.")
    var eval: String?

    @Argument(help: "The texts to identify.")
    var texts: [String] = []

    func run() async throws {
        try await reportingErrors {
            guard (eval == nil) != texts.isEmpty else { throw ValidationError("give texts or --eval FILE, not both") }
            let identifier = try await Self.loadIdentifier()
            if let eval {
                try evaluate(identifier, file: eval)
                return
            }
            let results = identifier.detect(texts)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(["results": results]), as: UTF8.self))
                return
            }
            for (text, result) in zip(texts, results) {
                let others = result.candidates.dropFirst().map { "\($0.language) \(String(format: "%.2f", $0.confidence))" }
                print("\(result.language)\t\(String(format: "%.2f", result.confidence))\t\(result.script ?? "-")\t"
                      + "\(text.prefix(50).debugDescription)\(others.isEmpty ? "" : "\t(" + others.joined(separator: ", ") + ")")")
            }
        }
    }

    /// The identifier over the fetched profiles (fetched first if missing; compiled on first use, with a progress line).
    static func loadIdentifier() async throws -> LanguageIdentifier {
        let id = LanguageIdentifier.profilesModelID
        _ = try await resolveModel(id)
        let directory = ModelStore().modelDirectory(for: id)
        let renderer = ProgressRenderer()
        let identifier = try LanguageIdentifier(profiles: directory) { done, total in
            renderer.note("compiling language profiles: \(done)/\(total)")
        }
        return identifier
    }

    private func evaluate(_ identifier: LanguageIdentifier, file: String) throws {
        guard let content = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("cannot read \(file) as UTF-8 text")
        }
        var samples: [(code: String, text: String)] = []
        for (number, line) in content.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2 else { throw ValidationError("\(file):\(number + 1): expected CODE<TAB>TEXT") }
            samples.append((String(fields[0]).trimmingCharacters(in: .whitespaces), String(fields[1])))
        }
        guard !samples.isEmpty else { throw ValidationError("\(file) has no samples") }
        let start = ContinuousClock.now
        let results = identifier.detect(samples.map(\.text))
        let elapsed = ContinuousClock.now - start
        var right = 0
        var perLanguage: [String: (right: Int, total: Int)] = [:]
        for (sample, result) in zip(samples, results) {
            let ok = result.language == sample.code
            right += ok ? 1 : 0
            perLanguage[sample.code, default: (0, 0)].total += 1
            if ok { perLanguage[sample.code]!.right += 1 } else {
                print("miss\t\(sample.code) → \(result.language) (\(String(format: "%.2f", result.confidence)))\t\(sample.text.prefix(70))")
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let weak = perLanguage.filter { $0.value.right < $0.value.total }.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value.right)/\($0.value.total)" }
        print(String(format: "accuracy %.2f%% (%d/%d) over %d languages; %.1f µs per text", 100 * Double(right) / Double(samples.count),
                     right, samples.count, perLanguage.count, seconds / Double(samples.count) * 1e6))
        if !weak.isEmpty { print("languages with mistakes: \(weak.joined(separator: ", "))") }
    }
}
