import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data generate SPEC.yaml -o OUT.jsonl [--seed N] [--count N]`.
struct DataGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate synthetic conversations from a YAML spec of templates and slot values.",
        discussion: "See docs/examples/generate-spec.yaml. Near-identical samples (MinHash Jaccard ≥ 0.9) are rejected and counted.")

    @Argument(help: "The YAML spec.")
    var spec: String

    @Option(name: .shortAndLong, help: "Output OpenAI chat JSONL file.")
    var output: String

    @Option(help: "Seed (default: the spec's seed).")
    var seed: UInt64?

    @Option(help: "Number of examples (default: the spec's count).")
    var count: Int?

    func run() async throws {
        PartialFiles.removeOnInterrupt()
        try await reportingErrors {
            let text: String
            do { text = try String(contentsOf: URL(fileURLWithPath: spec), encoding: .utf8) } catch {
                throw ImportError.unreadable(path: spec, reason: (error as NSError).localizedDescription)
            }
            let generator = SyntheticGenerator(spec: try GeneratorSpec(yaml: text))
            let result = try generator.generate(count: count, seed: seed)
            try OpenAIChatJSONL.write(result.conversations, to: URL(fileURLWithPath: output))
            let categories = result.perCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            printNote("generated \(result.conversations.count) examples (\(categories)); rejected \(result.rejected) near-identical; wrote \(output)")
        }
    }
}
