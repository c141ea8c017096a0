import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data validate FILE|DIR`: every bad line as `FILE:LINE: reason`, exit 1 if any.
struct DataValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Strictly check a training file (OpenAI chat, ShareGPT or Alpaca JSONL) or an MLX-LM folder.")

    @Argument(help: "A JSONL file or a folder with train.jsonl and valid.jsonl (test.jsonl optional).")
    var path: String

    func run() async throws {
        try await reportingErrors {
            let result = try DatasetValidator().validate(path: URL(fileURLWithPath: path), makeProgress: reportProgress)
            for problem in result.problems { print(problem.description) }
            let formats = Set(result.formats.values.map(\.rawValue)).sorted().joined(separator: ", ")
            let files = result.linesByFile.count > 1
                ? "; " + result.linesByFile.sorted { $0.key < $1.key }
                    .map { "\(URL(fileURLWithPath: $0.key).lastPathComponent) \($0.value)" }.joined(separator: ", ")
                : ""
            printNote(result.summary + (formats.isEmpty ? "" : " (\(formats))") + files)
            if !result.isValid { throw ExitCode.failure }
        }
    }
}
