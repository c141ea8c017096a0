import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data import --from chatgpt|claude|gemini|sharegpt|alpaca|openai|text INPUT -o OUT.jsonl`.
struct DataImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert an export into OpenAI chat JSONL, one conversation per line, in source order.",
        discussion: """
            chatgpt and claude read the export ZIP or its conversations.json; gemini reads the Google Takeout ZIP \
            or its My Activity.json (Gemini Apps); sharegpt and alpaca read a JSON array or JSONL; openai reads \
            chat JSONL; text reads Q:/A: (or User:/Assistant:) blocks, conversations separated by a line ---.
            """)

    @Option(help: "Export format: \(ExportFormat.names).")
    var from: String

    @Argument(help: "The export ZIP or file.")
    var input: String

    @Option(name: .shortAndLong, help: "Output JSONL file (written only when the whole input was read).")
    var output: String

    @Option(help: "Gemini: minutes between prompts that start a new conversation.")
    var gapMinutes: Double = 30

    func run() async throws {
        PartialFiles.removeOnInterrupt()
        try await reportingErrors {
            guard let format = ExportFormat(rawValue: from) else {
                throw ValidationError("--from must be one of \(ExportFormat.names) (got '\(from)')")
            }
            guard gapMinutes > 0 else { throw ValidationError("--gap-minutes must be positive") }
            let summary = try ExportImporter.importFile(
                URL(fileURLWithPath: input), to: URL(fileURLWithPath: output),
                configuration: ExportImportConfiguration(format: format, geminiGap: gapMinutes * 60),
                onArchiveEntry: { entry, bytes in printNote("reading \(entry) (\(bytes / 1_000_000) MB) from \(input)") },
                makeProgress: reportProgress)
            printNote("imported \(summary.conversations) conversations (\(summary.emptySkipped) empty skipped) into \(output)")
        }
    }
}
