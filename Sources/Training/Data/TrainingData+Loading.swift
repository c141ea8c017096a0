import FineTuning
import Foundation

extension TrainingData {
    /// Validates every file with `DatasetValidator` (the schema `groupqwen data validate` checks) and fails with
    /// its `FILE:LINE: reason` lines; also refuses non-chat formats and an empty training file. Reads no model.
    public static func validate(_ files: TrainingDataFiles) throws(TrainingDataError) {
        var problems: [DataProblem] = []
        for url in files.all {
            let result: DatasetValidator.Result
            do { result = try DatasetValidator().validate(file: url) } catch {
                throw .unreadable(path: url.path, reason: "\(error)")
            }
            problems += result.problems.map { DataProblem(file: $0.file, line: $0.line, reason: $0.reason) }
            if let format = result.formats[url.path], format != .openai, format != .mlx {
                throw .unsupportedFormat(file: url.path, format: format == .sharegpt ? "ShareGPT" : "Alpaca")
            }
            if url == files.train, result.problems.isEmpty, result.lines == 0 || result.formats[url.path] == nil {
                throw .emptyTrainingSet(file: url.path)
            }
        }
        if !problems.isEmpty { throw .invalidLines(problems) }
    }

    /// Validates the files (see ``validate(_:)``), then tokenizes every example with `encoder`, cuts each at
    /// `maxSeqLen` tokens (keeping the beginning; an example whose first assistant token lies beyond the cut is
    /// dropped and counted) and, with `pack`, packs short examples into sequences of at most `maxSeqLen` tokens.
    /// Examples that cannot be encoded (no trained assistant message, template errors) are all reported together.
    public init(files: TrainingDataFiles, encoder: ChatExampleEncoder, maxSeqLen: Int, pack: Bool,
                progress: ProgressReporter.Factory? = nil) throws(TrainingDataError) {
        precondition(maxSeqLen >= 2, "max_seq_len must be at least 2")
        try Self.validate(files)
        var problems: [DataProblem] = []
        let (train, statistics) = try Self.encode(file: files.train, encoder: encoder, maxSeqLen: maxSeqLen,
                                                  progress: progress, problems: &problems)
        var trainStatistics = statistics
        var valid: [EncodedExample] = []
        var validStatistics = TrainingDataStatistics()
        if let url = files.valid {
            (valid, validStatistics) = try Self.encode(file: url, encoder: encoder, maxSeqLen: maxSeqLen,
                                                       progress: progress, problems: &problems)
        }
        if !problems.isEmpty { throw .invalidExamples(problems) }
        if train.isEmpty {
            throw .nothingFits(file: files.train.path, maxSeqLen: maxSeqLen, dropped: trainStatistics.droppedBeyondMaxSeqLen)
        }
        let trainSequences = Self.sequences(of: train, maxSeqLen: maxSeqLen, pack: pack, statistics: &trainStatistics)
        let validSequences = Self.sequences(of: valid, maxSeqLen: maxSeqLen, pack: pack, statistics: &validStatistics)
        self.init(files: files, maxSeqLen: maxSeqLen, packed: pack, train: trainSequences, valid: validSequences,
                  trainStatistics: trainStatistics, validStatistics: validStatistics)
    }

    /// The kept (cut) examples of one file and its counts; bad lines go to `problems`.
    static func encode(file url: URL, encoder: ChatExampleEncoder, maxSeqLen: Int, progress: ProgressReporter.Factory?,
                       problems: inout [DataProblem]) throws(TrainingDataError) -> ([EncodedExample], TrainingDataStatistics) {
        let reader: JSONLLineReader
        do { reader = try JSONLLineReader(url: url) } catch { throw .unreadable(path: url.path, reason: "\(error)") }
        var kept: [EncodedExample] = []
        var statistics = TrainingDataStatistics()
        var fileProblems: [DataProblem] = []
        reader.forEachLine(progress: progress?("tokenize", Int64(reader.byteCount), "conversations")) { line in
            guard !line.isBlank else { return }
            statistics.examples += 1
            let encoded: EncodedExample
            do throws(ChatEncodingError) {
                encoded = try encoder.encode(ChatExample(jsonLine: line.data))
            } catch {
                fileProblems.append(DataProblem(file: url.path, line: line.number, reason: error.description))
                return
            }
            statistics.longestExample = max(statistics.longestExample, encoded.count)
            guard let first = encoded.firstTargetIndex, first < maxSeqLen else {
                statistics.droppedBeyondMaxSeqLen += 1
                return
            }
            if encoded.count > maxSeqLen { statistics.truncated += 1 }
            kept.append(encoded.truncated(to: maxSeqLen))
        }
        problems += fileProblems
        return (kept, statistics)
    }

    /// One sequence per example, or best-fit packed sequences; fills in the sequence and token counts.
    static func sequences(of examples: [EncodedExample], maxSeqLen: Int, pack: Bool,
                          statistics: inout TrainingDataStatistics) -> [TrainingSequence] {
        let sequences: [TrainingSequence]
        if pack {
            let bins = SequencePacker.pack(lengths: examples.map(\.count), capacity: maxSeqLen)
            sequences = bins.map { bin in TrainingSequence(packing: bin.map { examples[$0] }) }
        } else {
            sequences = examples.map(TrainingSequence.init)
        }
        statistics.sequences = sequences.count
        statistics.tokenCount = sequences.reduce(0) { $0 + $1.count }
        statistics.targetTokenCount = sequences.reduce(0) { $0 + $1.targetTokenCount }
        return sequences
    }
}
