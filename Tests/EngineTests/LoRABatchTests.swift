import Engine
import Foundation
import GGUF
import Testing

/// Sequences with different adapters (and one without) share forward passes and each gets what it
/// gets alone.
@Suite(.serialized)
struct LoRABatchTests {
    @Test func mixedAdapterBatchMatchesSoloRuns() async throws {
        let model = try TestModel.smollm2.load()
        let c = model.configuration
        // Four different rank-16 adapters on all seven targets, strong enough to change the answers.
        let adapters = try (1...4).map { seed in
            try LoRAAdapter.random(configuration: c, rank: 16, bStandardDeviation: 0.05, seed: UInt64(seed), name: "random-\(seed)")
        }
        let mixes = adapters.map { AdapterMix($0) } + [.none]
        let generator = Generator(model: model)
        let prompts = ["The capital of France is", "def fibonacci(n):", "Once upon a time,", "1, 2, 3, 4,", "The three primary colors are"]
        let ids = prompts.map { generator.promptIDs(for: $0) }
        func options(_ mix: AdapterMix, logprobs: Int = 0) -> GenerationOptions {
            var o = GenerationOptions()
            o.sampling = .greedy
            o.maxTokens = 16
            o.ignoreEndOfGeneration = true
            o.topLogprobs = logprobs
            o.adapters = mix
            return o
        }
        let solo = try zip(ids, mixes).map { try generator.generate(promptIDs: $0, options: options($1, logprobs: 2)) }
        // The adapters change the answers: the prompts under each adapter and under none.
        let probe = try mixes.map { mix in try ids.map { try generator.generate(promptIDs: $0, options: options(mix)).ids } }
        #expect(Set(probe.map { "\($0)" }).count == mixes.count, "every adapter gives its own answers")

        let scheduler = BatchScheduler(model: model, configuration: SchedulerConfiguration(maxActiveSequences: 5, prefillTokensPerStep: 16))
        let streams = try zip(ids, mixes).map { try scheduler.submit(promptIDs: $0, options: options($1)) }
        var batched: [[Int32]] = []
        for stream in streams {
            var result: GenerationResult?
            for try await event in stream { if case let .finished(r) = event { result = r } }
            batched.append(try #require(result).ids)
        }
        let stats = scheduler.statistics
        await scheduler.shutdown(cancelInFlight: false)
        // Same near-tie rule as the scheduler tests: other rows only change the summation order.
        for (i, (a, b)) in zip(solo, batched).enumerated() {
            let agree = zip(a.ids, b).prefix { $0 == $1 }.count
            guard agree < a.ids.count else { continue }
            let top = a.tokens[agree].top
            #expect(top[0].logprob - top[1].logprob < 0.2, "sequence \(i) (\(mixes[i])) diverged at step \(agree), not a tie")
        }
        #expect(Double(stats.rows) / Double(stats.steps) > 3, "passes were shared: \(stats)")
    }

    @Test func badAdaptersGiveOneLineErrors() throws {
        let model = try TestModel.smollm2.load()
        let c = model.configuration
        func message(_ path: String) -> String {
            do { _ = try LoRAAdapter.load(path: path, for: c); return "loaded" } catch { return error.description }
        }
        // The Qwen adapter on the llama model.
        #expect(message(LoRAFixtures.path("qwen-r2-all-f16.gguf")).contains("architecture 'qwen2' but the model is 'llama'"))
        #expect(message(LoRAFixtures.path("qwen-r2-all-f16-peft")).contains("does not fit the model"))
        // A model file is not an adapter.
        #expect(message(try TestModel.smollm2.path()).contains("is not a LoRA adapter"))
        #expect(message("/nonexistent/adapter.gguf").contains("no such file"))

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lora-bad-\(getpid())")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Truncated GGUF: every prefix length fails cleanly, never crashes.
        let full = try Data(contentsOf: URL(fileURLWithPath: LoRAFixtures.path("smollm2-r8-qkvo.gguf")))
        for length in [0, 3, 24, 200, 5000, full.count / 2, full.count - 1] {
            let path = scratch.appendingPathComponent("cut-\(length).gguf").path
            try full.prefix(length).write(to: URL(fileURLWithPath: path))
            #expect(message(path) != "loaded", "a file cut at \(length) bytes must not load")
        }
        // PEFT: a missing half, a rank mismatch, DoRA, a pickle-only folder.
        let peft = URL(fileURLWithPath: LoRAFixtures.path("smollm2-r8-qkvo-peft"))
        let original = try SafeTensorsFile(path: peft.appendingPathComponent("adapter_model.safetensors").path)
        func writeFolder(_ name: String, config: String, tensors: (inout SafeTensorsWriter) throws -> Void) throws -> String {
            let dir = scratch.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try config.write(to: dir.appendingPathComponent("adapter_config.json"), atomically: true, encoding: .utf8)
            var writer = SafeTensorsWriter()
            try tensors(&writer)
            try writer.write(to: dir.appendingPathComponent("adapter_model.safetensors").path)
            return dir.path
        }
        let config = #"{"peft_type": "LORA", "r": 8, "lora_alpha": 16}"#
        func copy(_ name: String, into writer: inout SafeTensorsWriter, rows: Int? = nil) throws {
            let t = original.tensors[name]!
            let values = Array(UnsafeBufferPointer(start: original.data(of: t).assumingMemoryBound(to: Float.self), count: t.elementCount))
            if let rows {
                try writer.add(name, shape: [rows, t.shape[1]], floats: Array(values.prefix(rows * t.shape[1])))
            } else {
                try writer.add(name, shape: t.shape, floats: values)
            }
        }
        let aName = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
        let bName = "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"
        #expect(message(try writeFolder("half", config: config) { try copy(aName, into: &$0) }).contains("missing its lora_B"))
        #expect(message(try writeFolder("rank", config: config) { w in
            try copy(aName, into: &w, rows: 4)
            try copy(bName, into: &w)
        }).contains("rank"))
        #expect(message(try writeFolder("dora", config: #"{"peft_type": "LORA", "r": 8, "lora_alpha": 16, "use_dora": true}"#) {
            try copy(aName, into: &$0); try copy(bName, into: &$0)
        }).contains("DoRA"))
        let pickle = scratch.appendingPathComponent("pickle")
        try FileManager.default.createDirectory(at: pickle, withIntermediateDirectories: true)
        try config.write(to: pickle.appendingPathComponent("adapter_config.json"), atomically: true, encoding: .utf8)
        try Data([0x80, 0x02]).write(to: pickle.appendingPathComponent("adapter_model.bin"))
        #expect(message(pickle.path).contains("safe_serialization"))
    }

    /// An adapter written by `writeGGUF` loads back with the same numbers and the same effect.
    @Test func writtenAdapterRoundTrips() throws {
        let model = try TestModel.smollm2.load()
        let adapter = try LoRAAdapter.random(configuration: model.configuration, rank: 4, targets: [.query, .down], seed: 9)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(getpid()).gguf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try adapter.writeGGUF(to: path)
        let loaded = try LoRAAdapter.load(path: path, for: model.configuration)
        #expect(loaded.targets == [.query, .down] && loaded.rank == 4 && loaded.alpha == 8)
        for (x, y) in zip(adapter.matrices(), loaded.matrices()) {
            #expect(x.a == y.a && x.b == y.b && x.scale == y.scale)
        }
    }
}
