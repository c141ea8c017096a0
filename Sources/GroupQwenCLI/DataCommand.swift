import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data …`: turn chat exports into fine-tuning data.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Turn chat exports into a clean fine-tuning dataset.",
        subcommands: [DataImportCommand.self, DataCurateCommand.self])
}

/// `groupqwen data curate IN.jsonl -o OUT.jsonl [--report R.json]`.
struct DataCurateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate", abstract: "Redact personal data and secrets; drop bad and duplicate conversations.")

    @Argument(help: "OpenAI chat JSONL.")
    var input: String

    @Option(name: .shortAndLong, help: "Output JSONL file.")
    var output: String

    @Option(help: "Write the report (counts only, never the redacted values) as JSON here.")
    var report: String?

    func run() async throws {
        try await reportingErrors {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
                throw ImportError.unreadable(path: input, reason: (error as NSError).localizedDescription)
            }
            let (kept, summary) = Curator().curate(try OpenAIChatJSONL.conversations(from: data))
            try OpenAIChatJSONL.write(kept, to: URL(fileURLWithPath: output))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let json = try encoder.encode(summary)
            if let report { try json.write(to: URL(fileURLWithPath: report)) }
            printNote("kept \(summary.kept) of \(summary.input); removed \(summary.removed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); redacted \(summary.redactions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        }
    }
}

/// A progress or summary line on stderr (stdout stays free for data).
func printNote(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
