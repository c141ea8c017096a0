import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data …`: turn chat exports into fine-tuning data.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Turn chat exports into a clean fine-tuning dataset.",
        subcommands: [DataImportCommand.self, DataCurateCommand.self, DataSplitCommand.self, DataValidateCommand.self,
                      DataStatsCommand.self, DataGenerateCommand.self])
}

/// `groupqwen data import --from chatgpt|claude|openai INPUT -o OUT.jsonl`.
struct DataImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Convert an export (conversations.json) into OpenAI chat JSONL, one conversation per line.")

    @Option(help: "Export format: chatgpt, claude or openai.")
    var from: String

    @Argument(help: "The export's conversations.json (unzip the export first) or a JSONL file.")
    var input: String

    @Option(name: .shortAndLong, help: "Output JSONL file.")
    var output: String

    func run() async throws {
        try await reportingErrors {
            guard ["chatgpt", "claude", "openai"].contains(from) else {
                throw ValidationError("--from must be chatgpt, claude or openai (got '\(from)')")
            }
            guard !input.lowercased().hasSuffix(".zip") else {
                throw ValidationError("ZIP exports are not read directly yet: unzip it and pass its conversations.json")
            }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
                throw ImportError.unreadable(path: input, reason: (error as NSError).localizedDescription)
            }
            let conversations: [Conversation]
            switch from {
            case "chatgpt": conversations = try ChatGPTImporter.conversations(from: data)
            case "claude": conversations = try ClaudeImporter.conversations(from: data)
            case "openai": conversations = try OpenAIChatJSONL.conversations(from: data)
            default: throw ValidationError("--from must be chatgpt, claude or openai (got '\(from)')")
            }
            let usable = conversations.filter { !$0.turns.isEmpty }
            try OpenAIChatJSONL.write(usable, to: URL(fileURLWithPath: output))
            printNote("imported \(usable.count) conversations (\(conversations.count - usable.count) empty skipped) into \(output)")
        }
    }
}

/// A progress or summary line on stderr (stdout stays free for data).
func printNote(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
