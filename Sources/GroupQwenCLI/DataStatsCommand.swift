import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data stats FILE [--json]`.
struct DataStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts, length and token histograms, role balance, duplicates and redaction placeholders of a JSONL file.",
        discussion: "Tokens are estimated as ⌈UTF-8 bytes ÷ 4⌉ per turn unless --tokenizer-model is given.")

    @Argument(help: "OpenAI chat JSONL.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "Count tokens with this model's tokenizer (id or GGUF path) instead of estimating.")
    var tokenizerModel: String?

    func run() async throws {
        try await reportingErrors {
            let counter: (@Sendable (String) -> Int)? = if let tokenizerModel { try await makeTokenCounter(model: tokenizerModel) } else { nil }
            let stats = try DatasetStatistics(file: URL(fileURLWithPath: file), tokenCount: counter, makeProgress: reportProgress)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                FileHandle.standardOutput.write(try encoder.encode(stats))
                FileHandle.standardOutput.write(Data("\n".utf8))
            } else {
                print(stats.text)
            }
        }
    }
}
