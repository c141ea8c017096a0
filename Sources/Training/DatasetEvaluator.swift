import Engine
import FineTuning
import Foundation

/// Loss and perplexity of a model (with or without adapters) on a chat dataset, computed the way the model
/// is served: the engine's forward pass with the adapters applied at run time, loss on the assistant tokens
/// only (the same masks as training).
public struct DatasetEvaluator {
    public struct Result: Sendable {
        /// Mean cross-entropy per target token (nats).
        public var loss: Double
        public var perplexity: Double { exp(loss) }
        public var examples: Int
        public var targetTokens: Int
        public var seconds: Double
    }

    public let model: LanguageModel
    public let maxSeqLen: Int

    public init(model: LanguageModel, maxSeqLen: Int = 2048) {
        self.model = model
        self.maxSeqLen = maxSeqLen
    }

    /// Reads and validates `path` (a JSONL file, every bad line reported), encodes it with the model's chat
    /// template, and returns the loss under each adapter mix (`.none`: the base model), same examples for all.
    public func evaluate(path: String, mixes: [AdapterMix], progress: ProgressReporter.Factory? = nil) throws -> [Result] {
        let files = TrainingDataFiles(train: URL(fileURLWithPath: (path as NSString).expandingTildeInPath))
        let data = try TrainingData(files: files, encoder: try ChatExampleEncoder(gguf: model.file), maxSeqLen: maxSeqLen,
                                    pack: false, progress: progress)
        return try mixes.map { try evaluate(data.train, mix: $0) }
    }

    func evaluate(_ sequences: [TrainingSequence], mix: AdapterMix) throws -> Result {
        let clock = ContinuousClock(), start = clock.now
        var loss = 0.0, weight = 0.0, targets = 0
        for sequence in sequences {
            let n = sequence.ids.count
            let cache = model.makeCache(capacity: n)
            // Row t predicts token t + 1: only rows whose next token is a target want logits.
            let rows = (0..<n).map { t in
                BatchRow(token: sequence.ids[t], position: t, cache: cache,
                         wantsLogits: t + 1 < n && sequence.targetWeights[t + 1] > 0, adapters: mix)
            }
            let logits = try model.forward(rows)
            var index = 0
            for t in 0..<(n - 1) where sequence.targetWeights[t + 1] > 0 {
                let row = UnsafeBufferPointer(logits[index])
                let w = Double(sequence.targetWeights[t + 1])
                loss += w * Double(Logprobs.logSumExp(row) - row[Int(sequence.ids[t + 1])])
                weight += w
                targets += 1
                index += 1
            }
        }
        let (s, atto) = (clock.now - start).components
        return Result(loss: loss / max(weight, 1e-9), examples: sequences.count, targetTokens: targets,
                      seconds: Double(s) + Double(atto) * 1e-18)
    }
}
