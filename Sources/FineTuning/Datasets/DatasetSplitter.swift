import Foundation

/// Splits a conversation file into train/valid/test by conversation, deterministically: each conversation's
/// rank is the hash of the seed and its content (roles and texts), so the same conversations and seed always
/// give the same split whatever their order in the file; the first `train`% of ranks go to train, the next
/// `valid`% to valid and the rest to test (exact counts, rounded). Two streaming passes over the input; memory
/// is 16 bytes per conversation.
public struct DatasetSplitter: Sendable {
    /// Split shares in percent, e.g. 80/10/10 or 80/20 (no test split).
    public struct Ratios: Sendable, Equatable, CustomStringConvertible {
        public var train: Int
        public var valid: Int
        public var test: Int

        public init(train: Int, valid: Int, test: Int) {
            self.train = train
            self.valid = valid
            self.test = test
        }

        /// Parses `80/10/10` or `80/20`; the parts must be positive (test may be absent) and sum to 100.
        public init(parsing text: String) throws(DatasetError) {
            let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (2...3).contains(parts.count), parts.allSatisfy({ ($0 ?? -1) > 0 }) else {
                throw .invalidArgument("--ratios must look like 80/10/10 or 80/20 with positive whole numbers (got '\(text)')")
            }
            let values = parts.map { $0! }
            guard values.reduce(0, +) == 100 else { throw .invalidArgument("--ratios must sum to 100 (got '\(text)')") }
            self.init(train: values[0], valid: values[1], test: values.count == 3 ? values[2] : 0)
        }

        public var description: String { test > 0 ? "\(train)/\(valid)/\(test)" : "\(train)/\(valid)" }
    }

    /// Where the conversations went.
    public struct Summary: Sendable, Codable, Equatable {
        public var train = 0
        public var valid = 0
        public var test = 0
        /// Conversations the format cannot express (Alpaca without a user → assistant pair).
        public var skipped = 0
        public var files: [String] = []
    }

    public var ratios = Ratios(train: 80, valid: 10, test: 10)
    public var seed: UInt64 = 0
    public var format = DatasetFormat.openai

    public init(ratios: Ratios = Ratios(train: 80, valid: 10, test: 10), seed: UInt64 = 0, format: DatasetFormat = .openai) {
        self.ratios = ratios
        self.seed = seed
        self.format = format
    }

    /// The conversation's rank key for this seed.
    public func rankKey(_ conversation: Conversation) -> UInt64 {
        let f = StableHash.fingerprint(conversation)
        return StableHash.mix(StableHash.mix(seed ^ f.high) ^ f.low)
    }

    /// Split assignment (0 train, 1 valid, 2 test) for conversations with these rank keys, in their order.
    public func assignments(forKeys keys: [UInt64]) -> [UInt8] {
        let n = keys.count
        let total = Double(ratios.train + ratios.valid + ratios.test)
        let trainCount = min(n, Int((Double(n) * Double(ratios.train) / total).rounded()))
        let validCount = ratios.test == 0 ? n - trainCount : min(n - trainCount, Int((Double(n) * Double(ratios.valid) / total).rounded()))
        let order = keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        var result = [UInt8](repeating: 2, count: n)
        for (rank, index) in order.enumerated() {
            result[index] = rank < trainCount ? 0 : rank < trainCount + validCount ? 1 : 2
        }
        return result
    }

    /// Splits an OpenAI chat JSONL file into `directory` (created if needed) as `train.jsonl`, `valid.jsonl` and,
    /// unless the ratios have no test share, `test.jsonl`; each file replaces its old version only once all are
    /// written. `makeProgress(label, total bytes, item name)` makes the `split` reporter of the writing pass.
    public func split(input: URL, into directory: URL, makeProgress: ProgressReporter.Factory? = nil) throws -> Summary {
        var keys: [UInt64] = []
        try OpenAIChatJSONL.forEachConversation(in: input) { _, conversation in keys.append(rankKey(conversation)) }
        let assignment = assignments(forKeys: keys)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ImportError.unreadable(path: directory.path, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        let names = ratios.test > 0 ? ["train", "valid", "test"] : ["train", "valid"]
        let reader = try JSONLLineReader(url: input)
        let writers = try names.map { try JSONLinesFileWriter(destination: directory.appendingPathComponent("\($0).jsonl")) }
        var summary = Summary()
        let progress = makeProgress?("split", Int64(reader.byteCount), "conversations")
        defer { progress?.finish() }
        do {
            var index = 0
            try reader.forEachLine { line in
                guard let conversation = try OpenAIChatJSONL.conversation(line: line.bytes, number: line.number, path: reader.path) else { return }
                defer { index += 1 }
                guard let text = format.line(for: conversation) else {
                    summary.skipped += 1
                    return
                }
                let target = Int(assignment[index])
                try writers[target].write(line: text)
                switch target {
                case 0: summary.train += 1
                case 1: summary.valid += 1
                default: summary.test += 1
                }
                if line.number % 4096 == 0 { progress?.advance(to: Int64(line.endOffset), items: index + 1) }
            }
            progress?.advance(to: Int64(reader.byteCount), items: index)
            for writer in writers { try writer.commit() }
        } catch {
            writers.forEach { $0.discard() }
            throw error
        }
        summary.files = writers.map(\.destination.path)
        return summary
    }
}
