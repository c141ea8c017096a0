@testable import Engine
import Foundation
import Testing

/// Speculative decoding inside the continuous-batching scheduler: a sequence generating alone is decoded with the
/// draft's proposals, and its greedy output is the one the scheduler gives without a draft; under load the sequences
/// share plain steps, and one left alone catches its draft up on what it generated meanwhile.
@Suite(.serialized)
struct SpeculativeSchedulingTests {
    private func greedy(_ maxTokens: Int, adapters: AdapterMix) -> GenerationOptions {
        var o = GenerationOptions()
        o.sampling = .greedy
        o.maxTokens = maxTokens
        o.ignoreEndOfGeneration = true
        o.adapters = adapters
        return o
    }

    private func run(_ scheduler: BatchScheduler, _ prompts: [[Int32]], options: GenerationOptions) async throws -> [GenerationResult] {
        let streams = try prompts.map { try scheduler.submit(promptIDs: $0, options: options) }
        var results: [GenerationResult] = []
        for stream in streams {
            var streamed: [Int32] = []
            var result: GenerationResult?
            for try await event in stream {
                switch event {
                case let .token(token): streamed.append(token.id)
                case let .finished(r): result = r
                }
            }
            let r = try #require(result)
            #expect(streamed == r.ids, "the stream carries every token once, in order")
            results.append(r)
        }
        return results
    }

    /// The requests carry a random adapter that the draft (the bare model) lacks, so it proposes tokens the model
    /// often, but not always, keeps. Prompts are ≥ 8 tokens, so both schedulers read them with the same kernels.
    @Test(arguments: [TestModel.smollm2, TestModel.qwen3Fixture])
    func greedyOutputIsTheSameWithAndWithoutTheDraft(_ testModel: TestModel) async throws {
        let model = try testModel.load()
        let adapter = try LoRAAdapter.random(configuration: model.configuration, rank: 8, bStandardDeviation: 0.02, seed: 5)
        let options = greedy(40, adapters: AdapterMix(adapter))
        let generator = Generator(model: model)
        let prompts = ["def quicksort(items):\n    # sort the list in place\n", "The three primary colours of light are red, green and",
                       "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,"].map { generator.promptIDs(for: $0) }
        #expect(prompts.allSatisfy { $0.count >= 8 })

        let plain = BatchScheduler(model: try testModel.load(), configuration: SchedulerConfiguration(maxActiveSequences: 1))
        let expected = try await run(plain, prompts, options: options)
        await plain.shutdown(cancelInFlight: false)

        let drafted = try BatchScheduler(model: model, configuration: SchedulerConfiguration(maxActiveSequences: 1),
                                         draft: try testModel.load())
        let results = try await run(drafted, prompts, options: options)
        let stats = drafted.statistics
        await drafted.shutdown(cancelInFlight: false)
        for (r, e) in zip(results, expected) {
            #expect(r.ids == e.ids, "\(testModel): greedy output with the draft differs from the scheduler's own")
            #expect(r.timings.draftProposed > 0 && r.timings.draftAccepted <= r.timings.draftProposed, "\(r.timings)")
        }
        #expect(results.map(\.timings.draftAccepted).reduce(0, +) > 0, "the draft's tokens were kept sometimes")
        #expect(stats.steps < 3 * 40, "rounds replaced single-token steps: \(stats)")
    }

    /// Two requests at once share plain steps; the one that runs longer is left alone and goes on speculatively (its
    /// draft first reads the prompt and the tokens generated so far). Both outputs are the plain scheduler's.
    @Test func aSequenceLeftAloneContinuesSpeculatively() async throws {
        let model = try TestModel.smollm2.load()
        let generator = Generator(model: model)
        let prompts = ["Once upon a time, in a small village by the sea, there lived", "Here is a list of fruits: apple, banana,"]
            .map { generator.promptIDs(for: $0) }
        let plain = BatchScheduler(model: try TestModel.smollm2.load(), configuration: SchedulerConfiguration(maxActiveSequences: 1))
        let short = try await run(plain, [prompts[0]], options: greedy(8, adapters: .none))[0]
        let long = try await run(plain, [prompts[1]], options: greedy(48, adapters: .none))[0]
        await plain.shutdown(cancelInFlight: false)

        let drafted = try BatchScheduler(model: model, configuration: SchedulerConfiguration(maxActiveSequences: 2),
                                         draft: try TestModel.smollm2.load())
        let s1 = try drafted.submit(promptIDs: prompts[0], options: greedy(8, adapters: .none))
        let s2 = try drafted.submit(promptIDs: prompts[1], options: greedy(48, adapters: .none))
        var results: [GenerationResult] = []
        for stream in [s1, s2] {
            for try await event in stream { if case let .finished(r) = event { results.append(r) } }
        }
        await drafted.shutdown(cancelInFlight: false)
        #expect(results.count == 2)
        #expect(results[0].ids == short.ids)
        // The same model drafts for itself: agreement up to batch rounding at a near-tie.
        #expect(results[1].ids == long.ids)
        #expect(results[1].timings.draftProposed > 0, "the longer sequence went on speculatively once alone")
    }

    @Test func aDraftOfAnotherVocabularyIsRefused() throws {
        #expect(throws: EngineError.self) {
            _ = try BatchScheduler(model: try TestModel.smollm2.load(), draft: try TestModel.qwen25.load())
        }
    }
}
