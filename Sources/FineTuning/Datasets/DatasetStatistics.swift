import Foundation

/// Counts and distributions of a conversation file: role balance, characters and tokens per conversation,
/// turns per conversation, exact and near duplicates (MinHash, Jaccard ≥ 0.8) and the redaction placeholders
/// it contains. Tokens are approximate unless a counter is supplied: ⌈UTF-8 bytes ÷ 4⌉ per turn, the usual
/// average of English text under BPE vocabularies (code and non-Latin scripts run higher).
public struct DatasetStatistics: Sendable, Codable, Equatable {
    /// Summary numbers and a bucketed histogram of one per-conversation quantity.
    public struct Distribution: Sendable, Codable, Equatable {
        public struct Bucket: Sendable, Codable, Equatable {
            /// Inclusive bounds.
            public var from: Int
            public var to: Int
            public var count: Int
            public init(from: Int, to: Int, count: Int) {
                self.from = from
                self.to = to
                self.count = count
            }
        }
        public var min = 0
        /// Nearest-rank percentiles: the smallest value with at least 50 % (95 %) of the values at or below it.
        public var median = 0
        public var p95 = 0
        public var max = 0
        public var total = 0
        public var histogram: [Bucket] = []

        /// Power-of-two buckets (1, 2–3, 4–7, …) from the smallest to the largest value (0 has its own bucket).
        public init(_ values: [Int]) {
            guard !values.isEmpty else { return }
            let sorted = values.sorted()
            func rank(_ p: Double) -> Int { sorted[Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
            min = sorted.first!
            max = sorted.last!
            median = rank(0.5)
            p95 = rank(0.95)
            total = sorted.reduce(0, +)
            var buckets: [Int: Int] = [:]
            for v in sorted { buckets[v <= 0 ? -1 : Int.bitWidth - v.leadingZeroBitCount - 1, default: 0] += 1 }
            let exponents = buckets.keys.sorted()
            for e in (exponents.first!)...(exponents.last!) {
                let from = e < 0 ? 0 : 1 << e
                let to = e < 0 ? 0 : (1 << (e + 1)) - 1
                histogram.append(Bucket(from: from, to: to, count: buckets[e] ?? 0))
            }
        }

        /// Exact buckets (one per value) from the smallest to the largest, values above `cap` folded into one.
        public init(exact values: [Int], cap: Int) {
            self.init(values)
            var counts: [Int: Int] = [:]
            for v in values { counts[Swift.min(v, cap), default: 0] += 1 }
            histogram = counts.isEmpty ? [] : (counts.keys.min()!...counts.keys.max()!).map {
                Bucket(from: $0, to: $0 == cap ? Swift.max(cap, max) : $0, count: counts[$0] ?? 0)
            }
        }
    }

    public var conversations = 0
    public var turnsByRole: [String: Int] = [:]
    public var characters = Distribution([])
    public var tokens = Distribution([])
    /// `approximate (UTF-8 bytes / 4)` or `counted`.
    public var tokenMethod = "approximate (UTF-8 bytes / 4)"
    public var turnsPerConversation = Distribution([])
    public var exactDuplicates = 0
    public var nearDuplicates = 0
    /// Occurrences of each redaction placeholder, by kind (`EMAIL`, `PHONE`, …).
    public var placeholders: [String: Int] = [:]

    /// Reads an OpenAI chat JSONL file as a stream (memory: three integers and a MinHash signature per conversation);
    /// `makeProgress` makes the `stats` progress reporter.
    public init(file: URL, tokenCount: (@Sendable (String) -> Int)? = nil, makeProgress: ProgressReporter.Factory? = nil) throws {
        var characterCounts: [Int] = []
        var tokenCounts: [Int] = []
        var turnCounts: [Int] = []
        var seen = Set<StableHash.Fingerprint>()
        var index = NearDuplicateIndex(threshold: 0.8)
        let minHash = MinHash()
        let placeholderKinds = PIIRedactor.Kind.allCases.map { ($0.rawValue, Array($0.placeholder.utf8)) }
        if tokenCount != nil { tokenMethod = "counted" }
        try OpenAIChatJSONL.forEachConversation(in: file, makeProgress: makeProgress.map { make in { _, total, items in make("stats", total, items) } }) { _, conversation in
            conversations += 1
            var characters = 0, tokens = 0
            for turn in conversation.turns {
                turnsByRole[turn.role.rawValue, default: 0] += 1
                characters += turn.text.count
                tokens += tokenCount?(turn.text) ?? (turn.text.utf8.count + 3) / 4
                if turn.text.utf8.contains(0x5B) {
                    let bytes = Array(turn.text.utf8)
                    for (kind, placeholder) in placeholderKinds {
                        let n = Self.occurrences(of: placeholder, in: bytes)
                        if n > 0 { placeholders[kind, default: 0] += n }
                    }
                }
            }
            characterCounts.append(characters)
            tokenCounts.append(tokens)
            turnCounts.append(conversation.turns.count)
            if !seen.insert(StableHash.fingerprint(conversation)).inserted {
                exactDuplicates += 1
            } else if index.insertUnlessDuplicate(minHash.signature(of: conversation)) != nil {
                nearDuplicates += 1
            }
        }
        characters = Distribution(characterCounts)
        tokens = Distribution(tokenCounts)
        turnsPerConversation = Distribution(exact: turnCounts, cap: 20)
    }

    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard haystack.count >= needle.count else { return 0 }
        var n = 0, i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) {
                n += 1
                i += needle.count
            } else {
                i += 1
            }
        }
        return n
    }
}
