import ArgumentParser
import Dispatch
import Engine
import FineTuning
import Foundation
import Training

/// `groupqwen train`: LoRA fine-tuning on the CPU, from a dataset `data split` wrote to a servable adapter.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Fine-tune a LoRA adapter on a chat dataset (CPU, no Python).",
        discussion: """
        Writes OUT/adapter.gguf (llama.cpp's LoRA format), OUT/adapter-peft/ (Hugging Face PEFT), OUT/metrics.jsonl and \
        OUT/checkpoints/step-N/. Ctrl-C finishes the current step, writes a checkpoint and exits; `--resume OUT` continues. \
        Every setting may also come from a YAML file (--config), with the flags' names as keys.
        """)

    @Option(name: .shortAndLong, help: "A known model id or a .gguf path.") var model: String?
    @Option(help: "A folder written by `data split` (train.jsonl, valid.jsonl) or a training .jsonl file.") var data: String?
    @Option(help: "A validation .jsonl file (default: valid.jsonl of the data folder).") var valid: String?
    @Option(name: .shortAndLong, help: "Output folder.") var output: String?
    @Option(help: "YAML file with settings (keys as the flags).") var config: String?
    @Option(help: "Continue the run in this output folder from its newest checkpoint.") var resume: String?
    @Option(help: "LoRA rank (default 16).") var rank: String?
    @Option(help: "LoRA alpha (default 32).") var alpha: String?
    @Option(help: "LoRA dropout on the adapter's input (default 0).") var dropout: String?
    @Option(help: "rsLoRA scaling alpha/√r (true/false).") var rslora: String?
    @Option(help: "Targets: q,k,v,o,gate,up,down or all (default all).") var targets: String?
    @Option(help: "Epochs (default 3).") var epochs: String?
    @Option(name: [.customLong("lr"), .customLong("learning-rate")], help: "Peak learning rate (default 2e-4).") var learningRate: String?
    @Option(help: "Sequences per micro-batch (default 4).") var batchSize: String?
    @Option(help: "Micro-batches per optimizer step (default 1).") var gradAccum: String?
    @Option(help: "Tokens per sequence; longer examples are cut (default 512).") var maxSeqLen: String?
    @Option(help: "Warm-up: a number of steps (100) or a ratio of all steps (0.03, the default).") var warmup: String?
    @Option(help: "Decay after warm-up: cosine, linear or constant (default cosine).") var schedule: String?
    @Option(name: [.customLong("min-lr"), .customLong("min-learning-rate")], help: "Learning rate at the end (default 0).") var minLearningRate: String?
    @Option(help: "AdamW decoupled weight decay (default 0).") var weightDecay: String?
    @Option(help: "Gradient clipping by global norm (default 1; 0: off).") var maxGradNorm: String?
    @Option(help: "Seed of the initialisation and the data order (default 0).") var seed: String?
    @Option(help: "Validation every N steps (and at the end).") var evalEvery: String?
    @Option(help: "Checkpoint every N steps (and at the end).") var saveEvery: String?
    @Option(help: "Checkpoints kept (default 3).") var keepCheckpoints: String?
    @Option(help: "Pack short examples into one sequence (true/false).") var pack: String?
    @Option(help: "Threads (default: all cores).") var threads: String?
    @Option(help: "Stop after N optimizer steps.") var maxSteps: String?
    @Option(help: "MB of stored activations before layers recompute theirs (default 768).") var activationMemory: Int = 768
    @Flag(help: "Measure training speed and memory on random batches (seq = --max-seq-len, default 256; --batch-size, default 4) instead of training.")
    var bench = false
    @Flag(help: "Print the summary as one JSON object.") var json = false

    func run() async throws {
        try await reportingErrors {
            var configuration = TrainingConfiguration()
            let resumeFolder = resume.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
            if let resumeFolder {
                configuration = try TrainingRunFiles.loadSettings(from: resumeFolder)
            }
            if let config { configuration = try TrainingConfiguration.load(path: config, base: configuration) }
            for (key, value) in flagValues where value != nil { try configuration.set(key, to: value) }
            if let resumeFolder { configuration.output = resumeFolder.path }
            if bench {
                try await runBenchmark(configuration)
                return
            }
            guard !configuration.model.isEmpty else { throw ValidationError("name the model with -m (or `model:` in --config)") }
            guard !configuration.data.isEmpty else { throw ValidationError("name the data with --data (or `data:` in --config)") }
            guard !configuration.output.isEmpty else { throw ValidationError("name the output folder with -o (or `output:` in --config)") }
            let modelPath = try await resolveModel(configuration.model).path
            // Settings and every data line are checked here, before the model is loaded.
            let trainer = try Trainer(configuration: configuration, modelPath: modelPath)
            trainer.activationBudget = activationMemory << 20
            try TrainingRunFiles.saveSettings(configuration, to: URL(fileURLWithPath: (configuration.output as NSString).expandingTildeInPath))
            let stop = InterruptFlag.install()
            let display = TrainingProgressDisplay(json: json)
            let summary = try trainer.run(resume: resumeFolder != nil,
                                          progress: { reportProgress(label: $0, totalBytes: $1, itemName: $2) },
                                          events: display.handle, shouldStop: { stop.isSet })
            display.finish(summary, output: configuration.output)
            if !summary.completed { throw ExitCode(130) }
        }
    }

    private var flagValues: [(String, String?)] {
        [("model", model), ("data", data), ("valid", valid), ("output", output), ("rank", rank), ("alpha", alpha),
         ("dropout", dropout), ("rslora", rslora), ("targets", targets), ("epochs", epochs), ("learning-rate", learningRate),
         ("batch-size", batchSize), ("grad-accum", gradAccum), ("max-seq-len", maxSeqLen), ("warmup", warmup),
         ("schedule", schedule), ("min-learning-rate", minLearningRate), ("weight-decay", weightDecay),
         ("max-grad-norm", maxGradNorm), ("seed", seed), ("eval-every", evalEvery), ("save-every", saveEvery),
         ("keep-checkpoints", keepCheckpoints), ("pack", pack), ("threads", threads), ("max-steps", maxSteps)]
    }

    private func runBenchmark(_ c: TrainingConfiguration) async throws {
        let modelPath = try await resolveModel(c.model.isEmpty ? "smollm2-135m" : c.model).path
        var benchmark = TrainingBenchmark()
        benchmark.rank = c.rank
        benchmark.alpha = Float(c.alpha)
        benchmark.targets = c.targets
        benchmark.sequenceLength = maxSeqLen == nil ? 256 : c.maxSeqLen
        benchmark.batchSize = c.batchSize
        benchmark.threads = c.threads
        benchmark.steps = c.maxSteps ?? 8
        benchmark.activationBudget = activationMemory << 20
        let r = try benchmark.run(modelPath: modelPath) { line in if !json { printNote(line) } }
        let name = URL(fileURLWithPath: modelPath).lastPathComponent
        if json {
            try printJSON([
                "model": name, "threads": c.threads ?? ModelLoader.defaultThreadCount, "seq": benchmark.sequenceLength,
                "batch": benchmark.batchSize, "rank": c.rank, "targets": c.targets.map(\.shortName),
                "train_tokens_per_s": r.tokensPerSecond, "step_s_median": r.medianStepSeconds, "step_s_all": r.stepSeconds,
                "peak_rss_mb": Double(r.peakResidentBytes) / 1_048_576, "model_mb": Double(r.modelFileBytes) / 1_048_576,
                "trainable_params": r.trainableParameters, "stored_layers": r.storedLayers, "layers": r.layers,
                "loss_first": r.firstLoss, "loss_last": r.lastLoss,
            ])
            return
        }
        print("model: \(name)  threads: \(c.threads ?? ModelLoader.defaultThreadCount)  rank \(c.rank) on \(c.targets.map(\.shortName).joined(separator: ","))")
        print(String(format: "train  %8.1f tok/s   (%d × %d tokens per step, median of %d steps: %.2f s)", r.tokensPerSecond,
                     benchmark.batchSize, benchmark.sequenceLength, r.stepSeconds.count, r.medianStepSeconds))
        print(String(format: "peak RSS %.0f MB (model file %.0f MB + %.0f MB); %d of %d layers keep their activations",
                     Double(r.peakResidentBytes) / 1_048_576, Double(r.modelFileBytes) / 1_048_576,
                     Double(r.peakResidentBytes - r.modelFileBytes) / 1_048_576, r.storedLayers, r.layers))
    }
}

/// Set by the first SIGINT or SIGTERM: the run finishes its step, writes a checkpoint and exits. A second signal
/// exits at once.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var sources: [DispatchSourceSignal] = []

    var isSet: Bool { lock.withLock { value } }

    static func install() -> InterruptFlag {
        let flag = InterruptFlag()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if flag.isSet {
                    printNote("\ninterrupted again: exiting without a checkpoint")
                    exit(128 + sig)
                }
                flag.lock.withLock { flag.value = true }
                printNote("\n\(sig == SIGINT ? "interrupt" : "terminate"): finishing this step, then writing a checkpoint "
                          + "(Ctrl-C again to quit now)")
            }
            source.resume()
            flag.sources.append(source)
        }
        return flag
    }
}
