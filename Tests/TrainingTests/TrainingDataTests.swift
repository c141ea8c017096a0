import FineTuning
import Foundation
import Testing
@testable import Training

@Suite("Training data")
struct TrainingDataTests {
    static let good = chatLine([("user", "Hi"), ("assistant", "Hello there!")])
    static let second = chatLine([("system", "Be brief."), ("user", "2+2?"), ("assistant", "4")])

    @Test("a data split folder: train.jsonl and valid.jsonl are found, test.jsonl is not read")
    func folderLayout() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        try folder.write("train.jsonl", Self.good + "\n" + Self.second + "\n")
        try folder.write("valid.jsonl", Self.second + "\n")
        try folder.write("test.jsonl", "not even json\n")
        let files = try TrainingDataFiles.resolve(data: folder.url.path)
        #expect(files.train.lastPathComponent == "train.jsonl")
        #expect(files.valid?.lastPathComponent == "valid.jsonl")
        let data = try TrainingData(files: files, encoder: try TestModels.tinyEncoder(), maxSeqLen: 512, pack: false)
        #expect(data.train.count == 2)
        #expect(data.valid.count == 1)
        #expect(data.trainStatistics.examples == 2)
        #expect(data.trainStatistics.targetTokenCount == data.train.reduce(0) { $0 + $1.targetTokenCount })
        #expect(data.trainStatistics.tokenCount == data.train.reduce(0) { $0 + $1.count })
        for sequence in data.train {
            #expect(sequence.segmentStarts == [0])
            #expect(sequence.positions == (0..<Int32(sequence.count)).map { $0 })
        }
        // Without valid.jsonl the run has no validation set; an explicit file is used instead.
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("valid.jsonl"))
        #expect(try TrainingDataFiles.resolve(data: folder.url.path).valid == nil)
        let other = try folder.write("other/valid.jsonl", Self.good + "\n")
        #expect(try TrainingDataFiles.resolve(data: folder.url.path, valid: other.path).valid == other)
        #expect(throws: TrainingDataError.noTrainFile(directory: folder.url.appendingPathComponent("other").path)) {
            try TrainingDataFiles.resolve(data: folder.url.appendingPathComponent("other").path)
        }
    }

    @Test("every file is validated before tokenizing; the validator's FILE:LINE: reason lines are the error")
    func validationFirst() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let train = try folder.write("train.jsonl", Self.good + "\n{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\nnot json\n")
        let valid = try folder.write("valid.jsonl", chatLine([("user", "a"), ("assistant", "b")], weights: [1: 2]) + "\n")
        let files = TrainingDataFiles(train: train, valid: valid)
        do {
            _ = try TrainingData(files: files, encoder: try TestModels.tinyEncoder(), maxSeqLen: 64, pack: false)
            Issue.record("invalid data was accepted")
        } catch let error as TrainingDataError {
            #expect(error.problems.map(\.description) == [
                "\(train.path):2: no assistant message",
                "\(train.path):3: invalid JSON",
                "\(valid.path):1: message 2 (assistant): \"weight\" must be 0 or 1",
            ])
            #expect(error.description.hasPrefix("\(train.path):2: no assistant message\n"))
            #expect(error.description.hasSuffix("3 invalid lines; fix them before training"))
        }
    }

    @Test("empty training file, other formats, examples with nothing to learn")
    func clearFailures() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let empty = try folder.write("empty.jsonl", "")
        #expect(throws: TrainingDataError.emptyTrainingSet(file: empty.path)) { try TrainingData.validate(TrainingDataFiles(train: empty)) }
        let sharegpt = try folder.write("sharegpt.jsonl", #"{"conversations":[{"from":"human","value":"hi"},{"from":"gpt","value":"yo"}]}"# + "\n")
        #expect(throws: TrainingDataError.unsupportedFormat(file: sharegpt.path, format: "ShareGPT")) {
            try TrainingData.validate(TrainingDataFiles(train: sharegpt))
        }
        let unweighted = try folder.write("unweighted.jsonl", Self.good + "\n" + chatLine([("user", "Hi"), ("assistant", "Hello")], weights: [1: 0]) + "\n")
        do {
            _ = try TrainingData(files: TrainingDataFiles(train: unweighted), encoder: try TestModels.tinyEncoder(), maxSeqLen: 64, pack: false)
            Issue.record("an example without trained tokens was accepted")
        } catch let error as TrainingDataError {
            #expect(error == .invalidExamples([DataProblem(file: unweighted.path, line: 2, reason: ChatEncodingError.noTrainedMessage.description)]))
        }
        #expect(throws: TrainingDataError.notFound(folder.url.appendingPathComponent("missing").path)) {
            try TrainingDataFiles.resolve(data: folder.url.appendingPathComponent("missing").path)
        }
    }

    @Test("cut at max_seq_len: the beginning is kept; an example whose first assistant token is beyond the cut is dropped and counted")
    func cutAtMaxSeqLen() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let encoder = try TestModels.tinyEncoder()
        let long = chatLine([("user", "Hi"), ("assistant", String(repeating: "word ", count: 100))])
        let lateAnswer = chatLine([("user", String(repeating: "question ", count: 100)), ("assistant", "yes")])
        let short = chatLine([("user", "Hi"), ("assistant", "OK")])
        let train = try folder.write("train.jsonl", [short, long, lateAnswer].joined(separator: "\n") + "\n")
        let full = try encoder.encode(ChatExample(jsonLine: Data(long.utf8)))
        let first = try #require(full.firstTargetIndex)
        let maxSeqLen = first + 5
        let data = try TrainingData(files: TrainingDataFiles(train: train), encoder: encoder, maxSeqLen: maxSeqLen, pack: false)
        #expect(data.trainStatistics.examples == 3)
        #expect(data.trainStatistics.droppedBeyondMaxSeqLen == 1)
        #expect(data.trainStatistics.truncated == 1)
        #expect(data.trainStatistics.longestExample > 100)
        #expect(data.train.count == 2)
        let cut = data.train[1]
        #expect(cut.count == maxSeqLen)
        #expect(cut.ids == Array(full.ids[..<maxSeqLen]))
        #expect(cut.targetWeights == Array(full.targetWeights[..<maxSeqLen]))
        #expect(cut.targetTokenCount == 5)
        // When nothing fits the run is refused.
        let only = try folder.write("late.jsonl", lateAnswer + "\n")
        #expect(throws: TrainingDataError.nothingFits(file: only.path, maxSeqLen: 16, dropped: 1)) {
            try TrainingData(files: TrainingDataFiles(train: only), encoder: encoder, maxSeqLen: 16, pack: false)
        }
    }

    @Test("packing: sequences of at most max_seq_len, positions restart per example, segments mark the boundaries")
    func packing() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let encoder = try TestModels.tinyEncoder()
        let lines = (0..<9).map { i in chatLine([("user", "Question \(i)" + String(repeating: " more", count: i * 3)), ("assistant", "Answer \(i)")]) }
        let train = try folder.write("train.jsonl", lines.joined(separator: "\n") + "\n")
        let examples = try lines.map { try encoder.encode(ChatExample(jsonLine: Data($0.utf8))) }
        let maxSeqLen = 160
        let data = try TrainingData(files: TrainingDataFiles(train: train), encoder: encoder, maxSeqLen: maxSeqLen, pack: true)
        #expect(data.packed)
        #expect(data.train.count < examples.count)
        #expect(data.trainStatistics.sequences == data.train.count)
        var seen: [EncodedExample] = []
        for sequence in data.train {
            #expect(sequence.count <= maxSeqLen)
            #expect(sequence.segmentStarts.first == 0)
            for segment in sequence.segments {
                // Each segment is one whole example, its positions 0..<n, its first token never a target.
                #expect(sequence.positions[segment].elementsEqual(0..<Int32(segment.count)))
                #expect(sequence.targetWeights[segment.lowerBound] == 0)
                seen.append(EncodedExample(ids: Array(sequence.ids[segment]), targetWeights: Array(sequence.targetWeights[segment])))
            }
        }
        // Every example appears exactly once.
        #expect(seen.count == examples.count)
        for example in examples { #expect(seen.contains(example)) }
        #expect(data.trainStatistics.tokenCount == examples.reduce(0) { $0 + $1.count })
        #expect(data.trainStatistics.targetTokenCount == examples.reduce(0) { $0 + $1.targetTokenCount })
    }

    @Test("best-fit decreasing packer")
    func packer() {
        #expect(SequencePacker.pack(lengths: [5, 3, 8, 2, 7, 1], capacity: 10) == [[2, 3], [4, 1], [0, 5]])
        #expect(SequencePacker.pack(lengths: [10, 10], capacity: 10) == [[0], [1]])
        #expect(SequencePacker.pack(lengths: [], capacity: 4) == [])
        let lengths = (0..<200).map { ($0 * 37) % 61 + 1 }
        let bins = SequencePacker.pack(lengths: lengths, capacity: 64)
        #expect(bins.flatMap { $0 }.sorted() == Array(0..<200))
        #expect(bins.allSatisfy { $0.reduce(0) { $0 + lengths[$1] } <= 64 })
    }

    @Test("validation batches keep file order; steps per epoch")
    func validationBatches() {
        let seq = { (n: Int) in TrainingSequence(EncodedExample(ids: [Int32](repeating: 1, count: n), targetWeights: [0] + [Float](repeating: 1, count: n - 1))) }
        let data = TrainingData(files: TrainingDataFiles(train: URL(fileURLWithPath: "/t")), maxSeqLen: 8, packed: false,
                                train: (1...7).map(seq), valid: (2...6).map(seq),
                                trainStatistics: TrainingDataStatistics(), validStatistics: TrainingDataStatistics())
        let batches = data.validationBatches(batchSize: 2)
        #expect(batches.map { $0.sequences.map(\.count) } == [[2, 3], [4, 5], [6]])
        #expect(batches[0].tokenCount == 5)
        #expect(batches[0].targetTokenCount == 3)
        #expect(data.batchesPerEpoch(batchSize: 3) == 3)
        #expect(data.stepsPerEpoch(batchSize: 3, gradAccum: 2) == 2)
        #expect(data.batch([6, 0]).sequences.map(\.count) == [7, 1])
    }
}
