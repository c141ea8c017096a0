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

/// Progress of a step on stderr: a redrawn bar on a terminal, a line every 10% or 5 seconds otherwise.
func reportProgress(label: String, totalBytes: Int64, itemName: String) -> ProgressReporter {
    ProgressReporter(label: label, total: totalBytes, itemName: itemName)
}

/// A progress or summary line on stderr (stdout stays free for data).
func printNote(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
