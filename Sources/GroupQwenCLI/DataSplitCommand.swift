import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data split IN.jsonl --out DIR [--format openai|mlx|sharegpt|alpaca] [--seed N] [--ratios 80/10/10]`.
struct DataSplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split conversations into train/valid/test files, deterministically by seed and content.")

    @Argument(help: "OpenAI chat JSONL (e.g. the output of data curate).")
    var input: String

    @Option(help: "Output directory (train.jsonl, valid.jsonl and, unless --ratios has two parts, test.jsonl).")
    var out: String

    @Option(help: "openai, mlx (an MLX-LM data folder), sharegpt or alpaca.")
    var format = "openai"

    @Option(help: "Seed of the split: the same input and seed always give the same split.")
    var seed: UInt64 = 0

    @Option(help: "Shares in percent: 80/10/10 or 80/20 (no test file).")
    var ratios = "80/10/10"

    func run() async throws {
        PartialFiles.removeOnInterrupt()
        try await reportingErrors {
            guard let format = DatasetFormat(rawValue: format) else {
                throw ValidationError("--format must be openai, mlx, sharegpt or alpaca (got '\(format)')")
            }
            let splitter = DatasetSplitter(ratios: try DatasetSplitter.Ratios(parsing: ratios), seed: seed, format: format)
            let summary = try splitter.split(input: URL(fileURLWithPath: input), into: URL(fileURLWithPath: out), makeProgress: reportProgress)
            var line = "train \(summary.train), valid \(summary.valid)"
            if splitter.ratios.test > 0 { line += ", test \(summary.test)" }
            if summary.skipped > 0 { line += "; \(summary.skipped) skipped (no user → assistant pair for \(format.rawValue))" }
            printNote(line + " in \(out)")
        }
    }
}
