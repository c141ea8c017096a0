import Engine
import Foundation

/// Training speed and memory on random token batches, measured the way the PyTorch + PEFT anchor is
/// (`shared/anchors/torch_lora_bench.py`): every token is a target (labels = inputs), `batchSize`
/// sequences of `sequenceLength` tokens per step, AdamW, a few untimed warm-up steps, the median step.
public struct TrainingBenchmark {
    public struct Result: Sendable {
        public var tokensPerSecond: Double
        public var medianStepSeconds: Double
        public var stepSeconds: [Double]
        public var peakResidentBytes: Int
        public var modelFileBytes: Int
        public var trainableParameters: Int
        public var storedLayers: Int
        public var layers: Int
        public var firstLoss: Double
        public var lastLoss: Double
    }

    public var rank = 16
    public var alpha: Float = 32
    public var targets = LoRATarget.allCases
    public var sequenceLength = 256
    public var batchSize = 4
    public var steps = 12
    public var warmup = 2
    public var threads: Int?
    public var learningRate = 2e-4
    public var activationBudget = 768 << 20
    public var seed: UInt64 = 0

    public init() {}

    public func run(modelPath: String, log: (String) -> Void = { _ in }) throws -> Result {
        let model = try ModelLoader.load(path: modelPath, options: ModelLoadOptions(threads: threads, batchCapacity: 512))
        let parameters = LoRAParameterSet(configuration: model.configuration, rank: rank, alpha: alpha, usesRSLoRA: false,
                                          targets: targets, seed: seed)
        let trainer = TrainingModel(model: model, parameters: parameters, capacity: batchSize * sequenceLength,
                                    activationBudget: activationBudget)
        var optimizer = AdamW(counts: parameters.buffers().parameters.map(\.count))
        let (values, gradients) = parameters.buffers()
        var random = SplitMix64(seed: seed)
        let vocabulary = model.vocabularySize
        var stepSeconds: [Double] = [], losses: [Double] = []
        let clock = ContinuousClock()
        for step in 1...(warmup + steps) {
            let sequences = (0..<batchSize).map { _ in
                let ids = (0..<sequenceLength).map { _ in Int32(random.next(below: vocabulary)) }
                return TrainingSequence(ids: ids, targetWeights: [0] + [Float](repeating: 1, count: sequenceLength - 1),
                                        positions: (0..<Int32(sequenceLength)).map { $0 }, segmentStarts: [0])
            }
            let start = clock.now
            parameters.zeroGradients()
            let r = trainer.run(BatchLayout(TrainingBatch(sequences: sequences)), gradients: true)
            parameters.scaleGradients(by: Float(1 / r.weightSum))
            _ = GradientClipping.clip(gradients.map { UnsafeMutableBufferPointer(mutating: $0) }, maxNorm: 1)
            optimizer.update(parameters: values, gradients: gradients, learningRate: learningRate)
            let seconds = Trainer.seconds(clock.now - start)
            losses.append(r.lossSum / r.weightSum)
            if step > warmup { stepSeconds.append(seconds) }
            if PhaseTimer.enabled { log(trainer.timer.report()) }
            log(String(format: "step %d/%d%@: loss %.4f  %.2f s  %.1f tok/s", step, warmup + steps, step <= warmup ? " (warm-up)" : "",
                       losses.last!, seconds, Double(r.tokens) / seconds))
        }
        let median = stepSeconds.sorted()[stepSeconds.count / 2]
        let fileBytes = ((try? FileManager.default.attributesOfItem(atPath: modelPath))?[.size] as? Int) ?? 0
        return Result(tokensPerSecond: Double(batchSize * sequenceLength) / median, medianStepSeconds: median, stepSeconds: stepSeconds,
                      peakResidentBytes: ResidentMemory.peakBytes(), modelFileBytes: fileBytes, trainableParameters: parameters.count,
                      storedLayers: trainer.storedLayers, layers: model.configuration.layerCount,
                      firstLoss: losses.first ?? .nan, lastLoss: losses.last ?? .nan)
    }
}
