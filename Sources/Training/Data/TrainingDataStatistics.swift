/// Counts of one data file after tokenization, cutting and packing.
public struct TrainingDataStatistics: Sendable, Equatable, Codable {
    /// Examples (non-blank lines) read.
    public var examples = 0
    /// Examples dropped because their first assistant token lies beyond `max_seq_len`.
    public var droppedBeyondMaxSeqLen = 0
    /// Kept examples that were cut at `max_seq_len` (their beginning kept).
    public var truncated = 0
    /// Sequences after packing (the number of kept examples without packing).
    public var sequences = 0
    /// Tokens in the sequences.
    public var tokenCount = 0
    /// Tokens in the loss.
    public var targetTokenCount = 0
    /// The longest example before cutting, in tokens.
    public var longestExample = 0

    /// Empty statistics.
    public init() {}

    /// Examples kept.
    public var keptExamples: Int { examples - droppedBeyondMaxSeqLen }

    enum CodingKeys: String, CodingKey {
        case examples, truncated, sequences
        case droppedBeyondMaxSeqLen = "dropped_beyond_max_seq_len"
        case tokenCount = "tokens"
        case targetTokenCount = "target_tokens"
        case longestExample = "longest_example"
    }
}
