import Foundation

/// Cleans a set of conversations: redacts personal data and secrets, drops conversations that would teach
/// the model bad habits (empty or one-word answers, refusals, apologies, repetition, all caps, broken turn
/// order, out-of-bounds length), exact duplicates, near-duplicates (MinHash over word 5-grams with LSH) and,
/// when a token counter is given, conversations over the token budget. The report counts what each step did;
/// it never contains the redacted values.
///
/// Order of the steps: rule filters → exact duplicates → near-duplicates → redaction → token budget. The first
/// conversation of a (near-)duplicate group is the one kept. Files are processed as a stream in batches whose
/// per-conversation work (parsing, rules, signatures, redaction) runs on `workers` threads, while the
/// duplicate decisions stay sequential, so the result is the same for any number of workers.
public struct Curator: Sendable {
    public struct Configuration: Sendable {
        public var minCharacters = 20
        public var maxCharacters = 100_000
        public var redact = true
        /// Drop answers whose most frequent word 3-gram covers more than `maxTrigramShare` of their 3-grams
        /// (answers with at least 10 of them), or that repeat one line (≥ 20 characters) `maxLineRepeats` times.
        public var repetitionFilter = true
        public var maxTrigramShare = 0.3
        public var maxLineRepeats = 4
        /// Near-duplicate Jaccard threshold (MinHash estimate over word 5-grams); nil turns the step off.
        public var nearDuplicateThreshold: Double? = 0.8
        /// Drop conversations with more than `maxTokens` tokens as counted by `tokenCount` (summed over turns,
        /// after redaction). The counter is called from several threads at once.
        public var maxTokens: Int?
        public var tokenCount: (@Sendable (String) -> Int)?
        /// Threads for the per-conversation work.
        public var workers = 2
        public init() {}
    }

    public struct Report: Sendable, Codable, Equatable {
        public var input = 0
        public var kept = 0
        public var removed: [String: Int] = [:]
        public var redactions: [String: Int] = [:]

        /// `kept 10 of 12; removed …; redacted …` (counts only).
        public var summary: String {
            func list(_ d: [String: Int]) -> String { d.isEmpty ? "nothing" : d.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
            return "kept \(kept) of \(input); removed \(list(removed)); redacted \(list(redactions))"
        }

        /// The report as pretty, key-sorted JSON.
        public func jsonData() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return try encoder.encode(self)
        }
    }

    public let configuration: Configuration
    let redactor = PIIRedactor()
    let minHash = MinHash()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    static let refusalPhrases = [
        "as an ai language model", "i'm sorry, but i can't", "i am sorry, but i cannot", "i cannot help with",
        "i can't help with", "i'm unable to help", "i cannot assist", "i can't assist",
    ].map(TextScan.Phrase.init)
    static let apologyPhrases = ["i apologize, but", "i'm sorry, but i", "i am sorry, but i"].map(TextScan.Phrase.init)

    /// The conversations worth keeping, redacted, in input order.
    public func curate(_ conversations: [Conversation]) -> (kept: [Conversation], report: Report) {
        let session = CurationSession(curator: self)
        var kept: [Conversation] = []
        var start = 0
        while start < conversations.count {
            let batch = Array(conversations[start..<min(start + CurationSession.batchSize, conversations.count)])
            kept.append(contentsOf: session.process(batch).compactMap { $0 })
            start += batch.count
        }
        return (kept, session.report)
    }

    /// Curates an OpenAI chat JSONL file into another, streaming (memory: the duplicate indexes, about 1 KB per
    /// conversation, plus one batch); the output replaces `output` only when the whole input was read.
    /// `makeProgress(label, total bytes, item name)` makes the `curate` reporter. A bad line throws naming it.
    @discardableResult
    public func curate(input: URL, output: URL, makeProgress: ProgressReporter.Factory? = nil) throws -> Report {
        let writer = try JSONLinesFileWriter(destination: output)
        do {
            let report = try curate(input: input, makeProgress: makeProgress) { try writer.write(line: $0.openAIJSONLine()) }
            try writer.commit()
            return report
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Curates an OpenAI chat JSONL file, handing each kept conversation to `emit` in input order.
    public func curate(input: URL, makeProgress: ProgressReporter.Factory? = nil, emit: (Conversation) throws -> Void) throws -> Report {
        let reader = try JSONLLineReader(url: input)
        let session = CurationSession(curator: self)
        let progress = makeProgress?("curate", Int64(reader.byteCount), "conversations")
        defer { progress?.finish() }
        try reader.forEachBatch(of: CurationSession.batchSize) { lines in
            for c in try session.process(lines: lines, path: reader.path) { try emit(c) }
            progress?.advance(to: Int64(lines.last?.endOffset ?? 0), items: session.report.input)
        }
        progress?.advance(to: Int64(reader.byteCount), items: session.report.input)
        return session.report
    }
}
