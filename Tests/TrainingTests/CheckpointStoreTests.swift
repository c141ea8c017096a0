import Foundation
import Testing
@testable import Training

@Suite("Checkpoints and metrics")
struct CheckpointStoreTests {
    static let fingerprint = TrainingFingerprint(settings: TrainingConfiguration().fingerprintSettings,
                                                 data: ["train": "10:abc"], model: "m.gguf, 1 bytes, 0")

    /// A checkpoint after `step` steps of a tiny run with two LoRA tensors.
    static func checkpoint(step: Int, fingerprint: TrainingFingerprint = fingerprint) -> Checkpoint {
        var parameters = [
            ParameterTensor(name: "blk.0.attn_q.lora_a", shape: [2, 3], values: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]),
            ParameterTensor(name: "blk.0.attn_q.lora_b", shape: [3, 2]),
        ]
        var optimizer = AdamW(counts: parameters.map(\.count))
        for s in 0..<step {
            let g = parameters.map { p in p.values.indices.map { Float($0 + s) * 0.01 - 0.02 } }
            optimizer.update(parameters: &parameters, gradients: g, learningRate: 1e-3)
        }
        var rng = SplitMix64(seed: 5)
        for _ in 0..<step { _ = rng.next() }
        let state = CheckpointState(step: step, cursor: DataCursor(epoch: step / 4, batchIndex: step % 4), rng: rng,
                                    learningRate: 1e-3, lossHistory: (1...max(1, step)).map { LossPoint(step: $0, loss: 3.0 / Double($0)) },
                                    validationHistory: [LossPoint(step: step, loss: .nan)], tokensSeen: 100 * step, elapsedSeconds: 1.5,
                                    parameterNames: parameters.map(\.name), fingerprint: fingerprint)
        return Checkpoint(parameters: parameters, optimizer: optimizer, state: state)
    }

    @Test("save and load give back the same tensors, moments and state")
    func roundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let store = CheckpointStore(output: folder.url)
        let original = Self.checkpoint(step: 6)
        let saved = try store.save(original)
        #expect(saved.lastPathComponent == "step-6")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: saved.path)) == ["parameters.safetensors", "optimizer.safetensors", "state.json"])
        let loaded = try store.load(saved)
        #expect(loaded.parameters == original.parameters)
        #expect(loaded.optimizer == original.optimizer)
        // NaN never equals itself: compare the state through its JSON.
        let encoder = CheckpointStore.stateEncoder()
        #expect(try encoder.encode(loaded.state) == encoder.encode(original.state))
        #expect(loaded.state.validationHistory[0].loss.isNaN)
        #expect(loaded.state.rng == original.state.rng)
        // For a manual cross-check with Python's safetensors: keep a copy where the environment says.
        if let keep = ProcessInfo.processInfo.environment["TRAINING_TESTS_KEEP_CHECKPOINT"] {
            try CheckpointStore(output: URL(fileURLWithPath: keep)).save(original)
        }
        // Continuing from the loaded optimizer equals continuing the original one.
        var a = original
        var b = loaded
        let g = a.parameters.map { [Float](repeating: 0.3, count: $0.count) }
        a.optimizer.update(parameters: &a.parameters, gradients: g, learningRate: 1e-3)
        b.optimizer.update(parameters: &b.parameters, gradients: g, learningRate: 1e-3)
        #expect(a.parameters == b.parameters)
    }

    @Test("keeps the newest K; latest() ignores a leftover temporary folder and incomplete folders")
    func keepAndLatest() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let store = CheckpointStore(output: folder.url, keep: 2)
        #expect(store.latest() == nil)
        for step in [2, 4, 6] { try store.save(Self.checkpoint(step: step)) }
        #expect(store.checkpoints().map(\.step) == [4, 6])
        // A crash mid-save leaves a hidden temporary folder (here even with a complete-looking state) and a
        // half-copied step folder: neither counts.
        let partial = store.directory.appendingPathComponent(".tmp-step-8-crashed")
        try FileManager.default.copyItem(at: store.folder(step: 6), to: partial)
        let fake = store.directory.appendingPathComponent("step-9")
        try FileManager.default.createDirectory(at: fake, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: fake.appendingPathComponent("state.json"))
        try FileManager.default.copyItem(at: store.folder(step: 6), to: store.directory.appendingPathComponent("step-10-copy"))
        #expect(store.latest()?.step == 6)
        #expect(try store.resume(expecting: Self.fingerprint)?.state.step == 6)
        // The next save clears the leftovers and replaces an existing step.
        try store.save(Self.checkpoint(step: 6))
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        #expect(store.checkpoints().map(\.step) == [4, 6])
        try store.save(Self.checkpoint(step: 12))
        #expect(store.checkpoints().map(\.step) == [6, 12])
    }

    @Test("a resume with other settings or data is refused, naming what changed")
    func settingsChanged() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let store = CheckpointStore(output: folder.url)
        try store.save(Self.checkpoint(step: 3))
        var configuration = TrainingConfiguration()
        configuration.learningRate = 1e-4
        let changed = TrainingFingerprint(settings: configuration.fingerprintSettings, data: ["train": "11:abd"], model: Self.fingerprint.model)
        #expect(throws: CheckpointError.settingsChanged(path: store.folder(step: 3).path,
                                                        differences: ["learning_rate was 0.0002, now 0.0001", "train data changed"])) {
            try store.resume(expecting: changed)
        }
        // Settings that do not change the math may change.
        configuration = TrainingConfiguration()
        configuration.threads = 1
        configuration.saveEvery = 5
        configuration.output = "elsewhere"
        let same = TrainingFingerprint(settings: configuration.fingerprintSettings, data: Self.fingerprint.data, model: Self.fingerprint.model)
        #expect(try store.resume(expecting: same)?.state.step == 3)
    }

    @Test("fingerprint of real files: content, not path")
    func fingerprintOfFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let a = try folder.write("a/train.jsonl", "{\"x\":1}\n")
        let b = try folder.write("b/train.jsonl", "{\"x\":1}\n")
        let model = try folder.write("m.gguf", "GGUF....")
        let configuration = TrainingConfiguration()
        let fa = try TrainingFingerprint(configuration: configuration, files: TrainingDataFiles(train: a), modelPath: model.path)
        let fb = try TrainingFingerprint(configuration: configuration, files: TrainingDataFiles(train: b), modelPath: model.path)
        #expect(fa == fb)
        try folder.write("b/train.jsonl", "{\"x\":2}\n")
        let fc = try TrainingFingerprint(configuration: configuration, files: TrainingDataFiles(train: b), modelPath: model.path)
        #expect(fc.hash != fa.hash)
        #expect(fc.differences(from: fa) == ["train data changed"])
    }

    @Test("metrics.jsonl: one line per step, flushed; a resume drops the lines after the checkpoint")
    func metrics() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let log = MetricsLog(output: folder.url)
        try log.start(resumingAfter: nil)
        for step in 1...5 {
            try log.append(MetricsRecord(step: step, epoch: Double(step) / 4, loss: 2.5 - Double(step) * 0.1, learningRate: 2e-4,
                                         gradNorm: 0.75, tokensPerSecond: 1234.5, elapsedSeconds: Double(step) * 2,
                                         valLoss: step == 4 ? 2.0 : nil))
            // Readable after every line.
            #expect(try log.records().count == step)
        }
        let lines = try String(contentsOf: log.url, encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == #"{"step":1,"epoch":0.25,"loss":2.4,"learning_rate":0.0002,"grad_norm":0.75,"tokens_per_second":1234.5,"elapsed_seconds":2.0}"#)
        #expect(lines[3].hasSuffix(#""val_loss":2.0,"val_perplexity":7.38905609893065}"#))
        // A crash mid-line, then a resume from the checkpoint of step 3.
        let handle = try FileHandle(forWritingTo: log.url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"step":6,"epo"#.utf8))
        try handle.close()
        try log.start(resumingAfter: 3)
        #expect(try log.records().map(\.step) == [1, 2, 3])
        try log.append(MetricsRecord(step: 4, epoch: 1, loss: .nan, learningRate: 1e-4, gradNorm: .infinity, tokensPerSecond: 1, elapsedSeconds: 9))
        let records = try log.records()
        #expect(records.map(\.step) == [1, 2, 3, 4])
        #expect(records[3].loss.isNaN && records[3].gradNorm.isNaN)
        #expect(try String(contentsOf: log.url, encoding: .utf8).hasSuffix("\"loss\":null,\"learning_rate\":0.0001,\"grad_norm\":null,\"tokens_per_second\":1.0,\"elapsed_seconds\":9.0}\n"))
        // A fresh run starts an empty log.
        try log.start(resumingAfter: nil)
        #expect(try log.records().isEmpty)
    }
}
