/// One bad line of a data file: `FILE:LINE: reason` (line 0: the file itself).
public struct DataProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file's path.
    public var file: String
    /// The 1-based line, or 0 for the whole file.
    public var line: Int
    /// Why the line cannot be used.
    public var reason: String

    /// A problem of `file` at `line`.
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}

/// Why training data could not be used. Each case is one line, except the lists of bad lines, which print one
/// `FILE:LINE: reason` line per problem (the first 50, then a count of the rest), as `groupqwen data validate` does.
public enum TrainingDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data path does not exist.
    case notFound(String)
    /// A data folder without `train.jsonl`.
    case noTrainFile(directory: String)
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// Lines the dataset validator rejects.
    case invalidLines([DataProblem])
    /// A file in a format training does not read (ShareGPT, Alpaca).
    case unsupportedFormat(file: String, format: String)
    /// The training file holds no example.
    case emptyTrainingSet(file: String)
    /// Valid lines that cannot become training tokens (no trained assistant message, template failures).
    case invalidExamples([DataProblem])
    /// Every example's first assistant token lies beyond `maxSeqLen`.
    case nothingFits(file: String, maxSeqLen: Int, dropped: Int)

    /// Problems listed before the rest are only counted.
    static let listedProblems = 50

    public var description: String {
        switch self {
        case let .notFound(path): return "training data \(path): no such file or directory"
        case let .noTrainFile(directory):
            return "\(directory) has no train.jsonl (expected a folder written by `groupqwen data split`, or a .jsonl file)"
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .invalidLines(problems): return Self.list(problems, summary: "invalid line")
        case let .unsupportedFormat(file, format):
            return "\(file): \(format) lines; training reads OpenAI or MLX-LM chat lines ({\"messages\": [...]}): re-split with `groupqwen data split --format openai`"
        case let .emptyTrainingSet(file): return "\(file): no training examples"
        case let .invalidExamples(problems): return Self.list(problems, summary: "unusable example")
        case let .nothingFits(file, maxSeqLen, dropped):
            return "\(file): all \(dropped) examples have their first assistant token beyond max_seq_len \(maxSeqLen); raise max_seq_len"
        }
    }

    /// The bad lines (empty for the other cases).
    public var problems: [DataProblem] {
        switch self {
        case let .invalidLines(p), let .invalidExamples(p): return p
        default: return []
        }
    }

    private static func list(_ problems: [DataProblem], summary: String) -> String {
        var lines = problems.prefix(listedProblems).map(\.description)
        if problems.count > listedProblems { lines.append("… and \(problems.count - listedProblems) more") }
        lines.append("\(problems.count) \(summary)\(problems.count == 1 ? "" : "s"); fix them before training")
        return lines.joined(separator: "\n")
    }
}
