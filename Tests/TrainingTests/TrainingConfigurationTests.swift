import Engine
import Foundation
import Testing
@testable import Training

@Suite("Training configuration")
struct TrainingConfigurationTests {
    @Test("defaults")
    func defaults() throws {
        let c = TrainingConfiguration()
        #expect(c.rank == 16 && c.alpha == 32 && c.dropout == 0 && !c.rslora)
        #expect(c.targets == [.query, .key, .value, .output, .gate, .up, .down])
        #expect(c.epochs == 3 && c.learningRate == 2e-4 && c.batchSize == 4 && c.gradAccum == 1 && c.maxSeqLen == 512)
        #expect(c.warmup == .ratio(0.03) && c.schedule == .cosine && c.minLearningRate == 0)
        #expect(c.weightDecay == 0 && c.maxGradNorm == 1 && c.seed == 0 && c.keepCheckpoints == 3 && !c.pack)
        #expect(c.threads == nil && c.resolvedThreads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(c.maxSteps == nil && c.evalEvery == nil && c.saveEvery == nil)
        #expect(c.loraScale == 2)
        #expect(throws: TrainingConfigurationError.invalid(key: "model", message: "is required (a model id such as qwen2.5-coder-0.5b, or a .gguf path)", line: nil)) {
            try c.validate()
        }
    }

    @Test("YAML with dashes, underscores and aliases; targets as a list or a string")
    func yaml() throws {
        let c = try TrainingConfiguration.parse(yaml: """
            model: qwen2.5-coder-0.5b
            data: dataset
            output: runs/one
            learning-rate: 1e-4
            batch_size: 8
            grad-accum: 2
            max_seq_len: 1024
            targets: [q_proj, v_proj, attn_output, down]
            warmup: 100
            schedule: linear
            min-lr: 1e-5
            rslora: yes
            rank: 8
            alpha: 16
            seed: 42
            pack: true
            valid: ~
            eval-every: 50
            max_steps: 300
            threads: 2
            """)
        #expect(c.model == "qwen2.5-coder-0.5b" && c.data == "dataset" && c.output == "runs/one")
        #expect(c.learningRate == 1e-4 && c.batchSize == 8 && c.gradAccum == 2 && c.maxSeqLen == 1024)
        #expect(c.targets == [.query, .value, .output, .down])
        #expect(c.warmup == .steps(100) && c.schedule == .linear && c.minLearningRate == 1e-5)
        #expect(c.rslora && c.rank == 8 && c.loraScale == 16 / 8.0.squareRoot())
        #expect(c.seed == 42 && c.pack && c.valid == nil && c.evalEvery == 50 && c.maxSteps == 300 && c.threads == 2)
        try c.validate()
        #expect(try TrainingConfiguration.parse(yaml: "lr: 3e-4\nwarmup: 0.1\ntargets: q,k , gate_proj").learningRate == 3e-4)
        #expect(try TrainingConfiguration.parse(yaml: "warmup: 0.1").warmup == .ratio(0.1))
        #expect(try TrainingConfiguration.parse(yaml: "warmup_ratio: 0").warmup == .ratio(0))
        #expect(try TrainingConfiguration.parse(yaml: "targets: all").targets == LoRATarget.allCases)
        #expect(try TrainingConfiguration.parse(yaml: "targets: q k").targets == [.query, .key])
        #expect(try TrainingConfiguration.parse(yaml: "") == TrainingConfiguration())
        #expect(try TrainingConfiguration.parse(yaml: "# only a comment\n") == TrainingConfiguration())
    }

    @Test("errors name the key and its line", arguments: [
        ("model: m\nlearning_rat: 1e-4\n", "training configuration line 2: unknown key 'learning_rat' (did you mean 'learning_rate'?)"),
        ("model: m\n\nbogus: 1\n", "training configuration line 3: unknown key 'bogus' (known: model, data, valid, output, rank, alpha, dropout, rslora, targets, epochs, learning-rate, batch-size, grad-accum, max-seq-len, warmup, warmup-steps, warmup-ratio, schedule, min-learning-rate, weight-decay, max-grad-norm, seed, eval-every, save-every, keep-checkpoints, pack, threads, max-steps)"),
        ("rank: 8\nbatch-size: four\n", "training configuration line 2: 'batch-size' must be an integer, not 'four'"),
        ("lr: 1e-4\nepochs: 2\nlearning-rate: 2e-4\n", "training configuration line 3: 'learning-rate' sets the same setting as 'lr' on line 1"),
        ("epochs: 1\nrank: 0\n", "training configuration line 2: 'rank' must be at least 1, not 0"),
        ("targets:\n  - q\n  - qq\n", "training configuration line 2: 'targets' has unknown target 'qq' (use q k v o gate up down, their PEFT names q_proj … down_proj, or all)"),
        ("schedule: step\n", "training configuration line 1: 'schedule' must be cosine, linear or constant, not 'step'"),
        ("dropout: 1.5\n", "training configuration line 1: 'dropout' must be at least 0 and below 1, not 1.5"),
        ("warmup: 1.5\n", "training configuration line 1: 'warmup' as a ratio must be between 0 and 1, not 1.5 (write whole steps without a decimal point)"),
        ("seed: -1\n", "training configuration line 1: 'seed' must be a non-negative integer, not '-1'"),
        ("pack: maybe\n", "training configuration line 1: 'pack' must be true or false, not 'maybe'"),
        ("rank: [1, 2]\n", "training configuration line 1: 'rank' must be a single value, not a list"),
        ("lr:\n  value: 1\n", "training configuration line 2: 'lr' must be a single value, not a mapping"),
        ("min_lr: 0.1\n", "training configuration line 1: 'min_lr' must be between 0 and learning-rate (0.0002), not 0.1"),
        ("model: ~\n", "training configuration line 1: 'model' must have a value"),
        ("- a\n- b\n", "training configuration line 1: '(document)' must be a mapping of settings to values"),
        ("rank: 4\n  bad indent: 1\n", "invalid YAML: line 2, column 13: mapping values are not allowed in this context"),
    ])
    func errors(yaml: String, message: String) {
        do {
            _ = try TrainingConfiguration.parse(yaml: yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("flags use the same names; validate() checks the final configuration")
    func flags() throws {
        var c = TrainingConfiguration()
        try c.set("model", to: "m.gguf")
        try c.set("data", to: "d")
        try c.set("output", to: "o")
        try c.set("max-grad-norm", to: "0")
        try c.set("weight_decay", to: "0.01")
        try c.set("warmup-steps", to: "10")
        try c.validate()
        #expect(c.maxGradNorm == 0 && c.weightDecay == 0.01 && c.warmup == .steps(10))
        #expect(c.adamW.weightDecay == 0.01)
        #expect(throws: TrainingConfigurationError.unknownKey(key: "epoch", line: nil, suggestion: "epochs")) { try c.set("epoch", to: "2") }
        try c.set("batch-size", to: "0")
        #expect(throws: TrainingConfigurationError.invalid(key: "batch-size", message: "must be at least 1, not 0", line: nil)) { try c.validate() }
        // The plan and schedule come from the configuration.
        c.batchSize = 2
        c.epochs = 2
        c.gradAccum = 3
        let plan = c.plan(batchesPerEpoch: 7)
        #expect(plan.stepsPerEpoch == 3 && plan.totalSteps == 6)
        #expect(c.learningRateSchedule(totalSteps: plan.totalSteps).warmupSteps == 6)
    }

    @Test("a configuration file is read from disk; JSON round trip for checkpoints")
    func fileAndJSON() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let file = try folder.write("train.yaml", "model: m\ndata: d\noutput: o\nwarmup: 5\ntargets: [q, v]\n")
        let c = try TrainingConfiguration.load(path: file.path)
        #expect(c.warmup == .steps(5) && c.targets == [.query, .value])
        let json = try JSONEncoder().encode(c)
        #expect(String(decoding: json, as: UTF8.self).contains("\"learning_rate\""))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: json) == c)
        #expect(throws: TrainingConfigurationError.self) { try TrainingConfiguration.load(path: folder.url.appendingPathComponent("none.yaml").path) }
    }
}
