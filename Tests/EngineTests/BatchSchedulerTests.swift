import Engine
import Foundation
import Testing

/// Continuous batching on a real model (SmolLM2-135M): concurrent sequences give what they give
/// alone, share forward passes, and queue limits, cancellation and shutdown behave.
@Suite(.serialized)
struct BatchSchedulerTests {
    let model: LanguageModel

    init() throws {
        model = try ModelLoader.load(path: try TestModel.smollm2.path(), options: ModelLoadOptions(threads: 2))
    }

    private func greedy(_ maxTokens: Int) -> GenerationOptions {
        var o = GenerationOptions()
        o.sampling = .greedy
        o.maxTokens = maxTokens
        o.ignoreEndOfGeneration = true
        return o
    }

    private func collect(_ stream: AsyncThrowingStream<GenerationEvent, Error>) async throws -> (pieces: [String], result: GenerationResult?) {
        var pieces: [String] = []
        var result: GenerationResult?
        for try await event in stream {
            switch event {
            case let .token(t): pieces.append(t.text)
            case let .finished(r): result = r
            }
        }
        return (pieces, result)
    }

    @Test func concurrentSequencesMatchTheirSoloRuns() async throws {
        let prompts = ["The capital of France is", "def fibonacci(n):", "Once upon a time, in a land far away,", "1, 2, 3, 4,"]
        let generator = Generator(model: model)
        let ids = prompts.map { generator.promptIDs(for: $0) }
        var withMargins = greedy(20)
        withMargins.topLogprobs = 2
        let solo = try ids.map { try generator.generate(promptIDs: $0, options: withMargins) }

        let scheduler = BatchScheduler(model: model, configuration: SchedulerConfiguration(maxActiveSequences: 4, prefillTokensPerStep: 8))
        let streams = try ids.map { try scheduler.submit(promptIDs: $0, options: greedy(20)) }
        var batched: [[Int32]] = []
        for stream in streams {
            let (pieces, result) = try await collect(stream)
            let r = try #require(result)
            #expect(pieces.joined() == r.text, "streamed pieces add up to the final text")
            #expect(r.finishReason == .length)
            batched.append(r.ids)
        }
        let stats = scheduler.statistics
        await scheduler.shutdown(cancelInFlight: false)
        // Rows of other sequences in the same pass change only the float summation order inside
        // the matrix kernels, so a batched greedy run follows its solo run until a near-tie (the
        // solo run's top two within 0.2), like the parity tests' tie rule.
        for (a, b) in zip(solo, batched) {
            let agree = zip(a.ids, b).prefix { $0 == $1 }.count
            guard agree < a.ids.count else { continue }
            let top = a.tokens[agree].top
            #expect(top[0].logprob - top[1].logprob < 0.2, "batched run diverged at step \(agree), not a tie: \(a.ids) vs \(b)")
        }
        // 4 × 20 decode rows plus prompts in far fewer passes than one per row: passes were shared.
        #expect(Double(stats.rows) / Double(stats.steps) > 2.5, "mean rows per forward pass: \(stats)")
    }

    @Test func queueLimitRejectsWithOverCapacity() async throws {
        let scheduler = BatchScheduler(model: model, configuration: SchedulerConfiguration(maxActiveSequences: 1, maxQueuedRequests: 1))
        let prompt = Generator(model: model).promptIDs(for: "Hello")
        let first = try scheduler.submit(promptIDs: prompt, options: greedy(8))
        let second = try scheduler.submit(promptIDs: prompt, options: greedy(8))
        #expect(throws: EngineError.self) { _ = try scheduler.submit(promptIDs: prompt, options: greedy(8)) }
        do {
            _ = try scheduler.submit(promptIDs: prompt, options: greedy(8))
            Issue.record("a third request must not fit")
        } catch {
            guard case .overCapacity = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(try await collect(first).result?.ids.count == 8)
        #expect(try await collect(second).result?.ids.count == 8)
        await scheduler.shutdown(cancelInFlight: false)
    }

    @Test func droppingTheStreamCancelsTheSequence() async throws {
        let scheduler = BatchScheduler(model: model, configuration: SchedulerConfiguration(maxActiveSequences: 2))
        let prompt = Generator(model: model).promptIDs(for: "Write a long story about a dragon.")
        do {
            let stream = try scheduler.submit(promptIDs: prompt, options: greedy(2000))
            var seen = 0
            for try await event in stream {
                if case .token = event { seen += 1 }
                if seen == 3 { break }
            }
        }
        // The slot frees within a few steps once the consumer is gone.
        var load = scheduler.load
        for _ in 0..<1000 where load.active + load.queued > 0 {
            try await Task.sleep(for: .milliseconds(10))
            load = scheduler.load
        }
        #expect(load.active == 0 && load.queued == 0)
        let after = try await collect(try scheduler.submit(promptIDs: prompt, options: greedy(4)))
        #expect(after.result?.ids.count == 4)
        await scheduler.shutdown(cancelInFlight: false)
    }

    @Test func gracefulShutdownFinishesWorkThenRefuses() async throws {
        let scheduler = BatchScheduler(model: model)
        let prompt = Generator(model: model).promptIDs(for: "Hello")
        let stream = try scheduler.submit(promptIDs: prompt, options: greedy(16))
        await scheduler.shutdown(cancelInFlight: false)
        #expect(try await collect(stream).result?.ids.count == 16)
        do {
            _ = try scheduler.submit(promptIDs: prompt, options: greedy(4))
            Issue.record("submit after shutdown must fail")
        } catch {
            guard case .shuttingDown = error else { Issue.record("unexpected \(error)"); return }
        }
    }

    @Test func cancellingShutdownEndsRunningWork() async throws {
        let scheduler = BatchScheduler(model: model)
        let prompt = Generator(model: model).promptIDs(for: "Hello")
        let stream = try scheduler.submit(promptIDs: prompt, options: greedy(100_000 / 100))
        await scheduler.shutdown(cancelInFlight: true)
        await #expect(throws: EngineError.self) { _ = try await collect(stream) }
    }

    @Test func requestsThatCanNeverRunFailAtSubmit() throws {
        let scheduler = BatchScheduler(model: model, configuration: SchedulerConfiguration(contextLength: 8))
        #expect(throws: EngineError.self) { _ = try scheduler.submit(promptIDs: [], options: greedy(4)) }
        #expect(throws: EngineError.self) { _ = try scheduler.submit(promptIDs: Array(repeating: 1, count: 8), options: greedy(4)) }
        #expect(throws: EngineError.self) { _ = try scheduler.submit(promptIDs: [Int32.max], options: greedy(4)) }
    }

    @Test func zeroMaxTokensFinishesWithoutRunningTheModel() async throws {
        let scheduler = BatchScheduler(model: model)
        let r = try await collect(try scheduler.submit(promptIDs: [1, 2, 3], options: greedy(0)))
        #expect(r.result?.ids == [])
        #expect(r.result?.finishReason == .length)
        await scheduler.shutdown(cancelInFlight: false)
    }
}

