import ArgumentParser
import FineTuning
import Foundation

/// `groupqwen data curate IN.jsonl -o OUT.jsonl [--report R.json] [--interactive [--state FILE]]`.
struct DataCurateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate",
        abstract: "Redact personal data and secrets; drop bad, duplicate and near-duplicate conversations.",
        discussion: "Filters: length bounds, broken turn order, empty or one-word answers, refusals, apologies, all caps, repetition; exact duplicates; near-duplicates by MinHash over word 5-grams. The report counts what each step removed or redacted, never the values.")

    @Argument(help: "OpenAI chat JSONL.")
    var input: String

    @Option(name: .shortAndLong, help: "Output JSONL file.")
    var output: String

    @Option(help: "Write the report (counts only, never the redacted values) as JSON here.")
    var report: String?

    @Option(help: "Near-duplicate Jaccard threshold between 0 and 1 (MinHash over word 5-grams); 1 keeps near-duplicates.")
    var nearDuplicateThreshold = 0.8

    @Option(help: "Drop conversations longer than this many tokens of --tokenizer-model.")
    var maxTokens: Int?

    @Option(help: "The model whose tokenizer counts tokens for --max-tokens (id or GGUF path).")
    var tokenizerModel: String?

    @Flag(help: "Walk the conversations that pass the filters and keep, skip or edit each one (resumable).")
    var interactive = false

    @Option(help: "Review state file for --interactive (default: OUT.jsonl.review.json).")
    var state: String?

    func validate() throws {
        guard (0...1).contains(nearDuplicateThreshold) else { throw ValidationError("--near-duplicate-threshold must be between 0 and 1") }
        if maxTokens != nil, tokenizerModel == nil { throw ValidationError("--max-tokens needs --tokenizer-model") }
        if let maxTokens, maxTokens <= 0 { throw ValidationError("--max-tokens must be positive") }
        if state != nil, !interactive { throw ValidationError("--state only applies with --interactive") }
    }

    func run() async throws {
        PartialFiles.removeOnInterrupt()
        try await reportingErrors {
            var configuration = Curator.Configuration()
            configuration.nearDuplicateThreshold = nearDuplicateThreshold >= 1 ? nil : nearDuplicateThreshold
            if let maxTokens, let tokenizerModel {
                configuration.maxTokens = maxTokens
                configuration.tokenCount = try await makeTokenCounter(model: tokenizerModel)
            }
            let curator = Curator(configuration: configuration)
            let inputURL = URL(fileURLWithPath: input), outputURL = URL(fileURLWithPath: output)
            let summary: Curator.Report
            var passing: [Conversation] = []
            if interactive {
                summary = try curator.curate(input: inputURL, makeProgress: reportProgress) { passing.append($0) }
            } else {
                summary = try curator.curate(input: inputURL, output: outputURL, makeProgress: reportProgress)
            }
            if let report { try summary.jsonData().write(to: URL(fileURLWithPath: report)) }
            printNote(summary.summary)
            guard interactive else { return }
            let reviewer = ConversationReviewer(conversations: passing, stateURL: URL(fileURLWithPath: state ?? output + ".review.json"), outputURL: outputURL)
            var lines = StandardInputLines()
            var screen = StandardOutputText()
            _ = try reviewer.run(input: &lines, output: &screen)
        }
    }
}
