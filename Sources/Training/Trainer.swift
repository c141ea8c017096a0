import Engine
import FineTuning
import Foundation

/// A LoRA fine-tuning run: data → steps (micro-batches, gradient accumulation, clipping, AdamW, warmup +
/// decay) → validation → checkpoints → `OUT/adapter.gguf` and `OUT/adapter-peft/`.
///
/// Deterministic for a seed and thread count: the data order, the schedule and the arithmetic are the same
/// on every run, so a run resumed from a checkpoint ends with the same adapter as an uninterrupted one.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let modelPath: String
    /// Bytes of stored activations before layers recompute theirs (default 1 GiB).
    public var activationBudget: Int = 768 << 20
    private let output: URL

    /// Checks the settings and the data files (every bad line is reported, `FILE:LINE: reason`) before any model
    /// is loaded. Throws `TrainingConfigurationError` or `TrainingDataError`.
    public init(configuration: TrainingConfiguration, modelPath: String) throws {
        try configuration.validate()
        self.configuration = configuration
        self.modelPath = modelPath
        self.output = URL(fileURLWithPath: (configuration.output as NSString).expandingTildeInPath)
        try TrainingData.validate(try TrainingDataFiles.resolve(data: configuration.data, valid: configuration.valid))
    }

    /// Runs to the end, or until `shouldStop` returns true after a step (a checkpoint is written then).
    /// With `resume`, continues from the newest checkpoint in `OUT/checkpoints` (refused when the settings or data
    /// changed).
    public func run(resume: Bool = false, progress: ProgressReporter.Factory? = nil,
                    events: (TrainingEvent) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> TrainingSummary {
        let c = configuration
        let files = try TrainingDataFiles.resolve(data: c.data, valid: c.valid)
        let model = try ModelLoader.load(path: modelPath, options: ModelLoadOptions(threads: c.resolvedThreads, batchCapacity: 512))
        let encoder = try ChatExampleEncoder(gguf: model.file)
        let data = try TrainingData(files: files, encoder: encoder, maxSeqLen: c.maxSeqLen, pack: c.pack, progress: progress)
        let parameters = LoRAParameterSet(configuration: model.configuration, rank: c.rank, alpha: Float(c.alpha),
                                          usesRSLoRA: c.rslora, targets: c.targets, seed: c.seed)
        let trainer = TrainingModel(model: model, parameters: parameters, capacity: c.batchSize * c.maxSeqLen,
                                    activationBudget: activationBudget)
        let plan = c.plan(batchesPerEpoch: data.batchesPerEpoch(batchSize: c.batchSize))
        let schedule = c.learningRateSchedule(totalSteps: plan.totalSteps)
        let sampler = data.sampler(batchSize: c.batchSize, seed: c.seed)
        let fingerprint = try TrainingFingerprint(configuration: c, files: files, modelPath: modelPath)
        let store = CheckpointStore(output: output, keep: c.keepCheckpoints)
        let metrics = MetricsLog(output: output)
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw TrainingError.output("\(output.path): \(error.localizedDescription)")
        }

        var optimizer = AdamW(counts: parameters.buffers().parameters.map(\.count), hyperparameters: c.adamW)
        var state = CheckpointState(step: 0, cursor: .start, rng: SplitMix64(seed: c.seed), learningRate: 0,
                                    parameterNames: parameters.tensors().map(\.name), fingerprint: fingerprint)
        if resume, let checkpoint = try store.resume(expecting: fingerprint) {
            try parameters.load(checkpoint.parameters)
            optimizer = checkpoint.optimizer
            state = checkpoint.state
        }
        try metrics.start(resumingAfter: state.step > 0 ? state.step : nil)
        events(.prepared(TrainingRunInfo(
            modelName: model.configuration.name, architecture: model.configuration.architecture,
            trainExamples: data.trainStatistics.keptExamples, validExamples: data.validStatistics.keptExamples,
            trainTokens: data.trainStatistics.tokenCount, trainTargetTokens: data.trainStatistics.targetTokenCount,
            droppedExamples: data.trainStatistics.droppedBeyondMaxSeqLen, totalSteps: plan.totalSteps,
            stepsPerEpoch: plan.stepsPerEpoch, trainableParameters: parameters.count, storedLayers: trainer.storedLayers,
            layers: model.configuration.layerCount, resumedAfterStep: state.step)))

        let validation = data.validationBatches(batchSize: c.batchSize).map(BatchLayout.init)
        func validate(step: Int) -> Double? {
            guard !validation.isEmpty else { return nil }
            var loss = 0.0, weight = 0.0
            for layout in validation {
                let r = trainer.run(layout, gradients: false)
                loss += r.lossSum
                weight += r.weightSum
            }
            let mean = loss / max(weight, 1e-9)
            events(.evaluated(step: step, loss: mean, perplexity: exp(mean)))
            return mean
        }
        var summary = TrainingSummary(steps: state.step, totalSteps: plan.totalSteps, completed: false, tokensPerSecond: 0,
                                      elapsedSeconds: state.elapsedSeconds, peakResidentBytes: 0)
        if state.step == 0 {
            summary.initialValidationLoss = validate(step: 0)
            if let loss = summary.initialValidationLoss { state.validationHistory.append(LossPoint(step: 0, loss: loss)) }
        } else {
            summary.initialValidationLoss = state.validationHistory.first { $0.step == 0 }?.loss
        }

        let (parameterBuffers, gradientBuffers) = parameters.buffers()
        let mutableGradients = gradientBuffers.map { UnsafeMutableBufferPointer(mutating: $0) }
        let clock = ContinuousClock()
        let runStart = clock.now
        var tokensThisRun = 0
        func saveCheckpoint() throws {
            let folder = try store.save(Checkpoint(parameters: parameters.tensors(), optimizer: optimizer, state: state))
            events(.checkpoint(step: state.step, path: folder.path))
        }

        while state.step < plan.totalSteps {
            let step = state.step + 1
            let stepStart = clock.now
            parameters.zeroGradients()
            var accumulator = GradientAccumulator(microBatchesPerStep: c.gradAccum)
            for (index, cursor) in plan.microBatches(ofStep: step).enumerated() {
                // Dropout masks depend only on the seed, the step and the micro-batch, so a resumed run draws the same.
                trainer.dropout = LoRADropout(probability: Float(c.dropout),
                                              key: LoRADropout.mix(c.seed ^ UInt64(step) << 20 ^ UInt64(index)))
                let layout = BatchLayout(data.batch(sampler.indices(at: cursor)))
                let r = trainer.run(layout, gradients: true)
                accumulator.add(lossSum: r.lossSum, targetWeight: r.weightSum, tokens: r.tokens)
            }
            guard accumulator.meanLoss.isFinite else { throw TrainingError.diverged(step: step) }
            parameters.scaleGradients(by: accumulator.gradientScale)
            let norm = GradientClipping.clip(mutableGradients, maxNorm: c.maxGradNorm)
            let learningRate = schedule.learningRate(at: step)
            optimizer.update(parameters: parameterBuffers, gradients: gradientBuffers, learningRate: learningRate)

            let seconds = Self.seconds(clock.now - stepStart)
            tokensThisRun += accumulator.tokens
            state.step = step
            state.cursor = plan.cursor(afterSteps: step)
            state.learningRate = learningRate
            state.tokensSeen += accumulator.tokens
            state.elapsedSeconds += seconds
            state.lossHistory.append(LossPoint(step: step, loss: accumulator.meanLoss))
            let elapsed = Self.seconds(clock.now - runStart)
            let report = TrainingStepReport(
                step: step, totalSteps: plan.totalSteps, epoch: plan.epochProgress(afterStep: step), loss: accumulator.meanLoss,
                learningRate: learningRate, gradientNorm: norm, tokensPerSecond: Double(accumulator.tokens) / seconds,
                elapsedSeconds: state.elapsedSeconds,
                remainingSeconds: elapsed / Double(step - summary.steps) * Double(plan.totalSteps - step),
                tokens: accumulator.tokens, totalTokens: state.tokensSeen)
            events(.step(report))
            var valLoss: Double?
            if let every = c.evalEvery, step % every == 0, step < plan.totalSteps {
                valLoss = validate(step: step)
                if let valLoss { state.validationHistory.append(LossPoint(step: step, loss: valLoss)) }
            }
            let last = step == plan.totalSteps
            if last {
                valLoss = validate(step: step)
                if let valLoss { state.validationHistory.append(LossPoint(step: step, loss: valLoss)) }
            }
            try metrics.append(MetricsRecord(step: step, epoch: report.epoch, loss: report.loss, learningRate: learningRate,
                                             gradNorm: norm, tokensPerSecond: report.tokensPerSecond,
                                             elapsedSeconds: state.elapsedSeconds, valLoss: valLoss))
            summary.finalLoss = accumulator.meanLoss
            if let valLoss { summary.finalValidationLoss = valLoss }
            let stopping = !last && shouldStop()
            if stopping || last || (c.saveEvery.map { step % $0 == 0 } ?? false) { try saveCheckpoint() }
            if stopping { break }
        }
        summary.steps = state.step
        summary.completed = state.step == plan.totalSteps
        summary.elapsedSeconds = state.elapsedSeconds
        let runSeconds = Self.seconds(clock.now - runStart)
        summary.tokensPerSecond = runSeconds > 0 ? Double(tokensThisRun) / runSeconds : 0
        if summary.completed {
            let adapter = try parameters.adapter(name: URL(fileURLWithPath: output.path).lastPathComponent,
                                                 baseConfiguration: model.configuration)
            let gguf = output.appendingPathComponent("adapter.gguf").path
            let peft = output.appendingPathComponent("adapter-peft").path
            try adapter.writeGGUF(to: gguf)
            try adapter.writePEFT(to: peft, baseModel: model.configuration.name, dropout: c.dropout)
            summary.adapterGGUF = gguf
            summary.adapterPEFT = peft
        }
        summary.peakResidentBytes = ResidentMemory.peakBytes()
        return summary
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) * 1e-18
    }
}
