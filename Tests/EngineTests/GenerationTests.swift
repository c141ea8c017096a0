import Engine
import Foundation
import Testing

/// Generation features on a real model (SmolLM2-135M): stop strings, seeds, penalties, limits,
/// log-probabilities and the async stream.
@Suite(.serialized)
struct GenerationTests {
    let model: LanguageModel
    let generator: Generator

    init() throws {
        // Its own instance: a LanguageModel runs one forward pass at a time and suites run in parallel.
        model = try ModelLoader.load(path: try TestModel.smollm2.path(), options: ModelLoadOptions(threads: 2))
        generator = Generator(model: model)
    }

    private func options(_ configure: (inout GenerationOptions) -> Void) -> GenerationOptions {
        var o = GenerationOptions()
        o.sampling = .greedy
        o.maxTokens = 24
        configure(&o)
        return o
    }

    @Test func stopStringEndsGenerationBeforeIt() throws {
        let prompt = generator.promptIDs(for: "The capital of France is")
        let result = try generator.generate(promptIDs: prompt, options: options { $0.stop = ["\n"] })
        #expect(result.text == " Paris.")
        #expect(result.finishReason == .stop)
        // A multi-token stop string spanning token boundaries.
        let spanning = try generator.generate(promptIDs: prompt, options: options { $0.stop = ["United States"] })
        #expect(spanning.text == " Paris.\n\nThe ")
        #expect(spanning.finishReason == .stop)
    }

    @Test func maxTokensGivesLengthFinish() throws {
        let result = try generator.generate(promptIDs: generator.promptIDs(for: "Once upon a time"), options: options { $0.maxTokens = 5 })
        #expect(result.ids.count == 5)
        #expect(result.finishReason == .length)
    }

    @Test func seedReproducesSampling() throws {
        let prompt = generator.promptIDs(for: "Once upon a time")
        func sampled(seed: UInt64) throws -> [Int32] {
            try generator.generate(promptIDs: prompt, options: options {
                $0.sampling = SamplingParameters()
                $0.sampling.temperature = 1.2
                $0.sampling.topK = 0
                $0.sampling.topP = 1
                $0.sampling.minP = 0
                $0.sampling.seed = seed
            }).ids
        }
        let a = try sampled(seed: 7), b = try sampled(seed: 7), c = try sampled(seed: 8)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func topKOneIsGreedy() throws {
        let prompt = generator.promptIDs(for: "def fibonacci(n):")
        let greedy = try generator.generate(promptIDs: prompt, options: options { _ in })
        let topK1 = try generator.generate(promptIDs: prompt, options: options {
            $0.sampling = SamplingParameters()
            $0.sampling.temperature = 5
            $0.sampling.topK = 1
            $0.sampling.seed = 1
        })
        #expect(greedy.ids == topK1.ids)
    }

    @Test func penaltiesDiscourageRepetition() throws {
        // "1, 2, 3, 4, 5," greedily repeats ", " patterns; a strong presence penalty on recent tokens
        // must change the continuation.
        let prompt = generator.promptIDs(for: "1, 2, 3, 4, 5,")
        let plain = try generator.generate(promptIDs: prompt, options: options { $0.maxTokens = 12 })
        let penalised = try generator.generate(promptIDs: prompt, options: options {
            $0.maxTokens = 12
            $0.sampling.presencePenalty = 2
            $0.sampling.frequencyPenalty = 2
            $0.sampling.repetitionPenalty = 1.5
        })
        #expect(plain.ids != penalised.ids)
        let commas = { (ids: [Int32]) in ids.filter { $0 == 28 }.count }  // 28 = ","
        #expect(commas(penalised.ids) < commas(plain.ids))
    }

    @Test func logprobsAreConsistent() throws {
        let result = try generator.generate(promptIDs: generator.promptIDs(for: "The capital of France is"),
                                            options: options { $0.topLogprobs = 5; $0.maxTokens = 4 })
        for token in result.tokens {
            #expect(token.top.count == 5)
            #expect(token.top[0].id == token.id)  // greedy picks the most likely token
            #expect(abs(token.top[0].logprob - token.logprob) < 1e-5)
            #expect(zip(token.top, token.top.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
        }
    }

    @Test func invalidParametersAreRejected() throws {
        let prompt = generator.promptIDs(for: "Hi")
        #expect(throws: EngineError.self) { try generator.generate(promptIDs: prompt, options: options { $0.sampling.temperature = -1 }) }
        #expect(throws: EngineError.self) { try generator.generate(promptIDs: prompt, options: options { $0.sampling.topP = 0 }) }
        #expect(throws: EngineError.self) { try generator.generate(promptIDs: [], options: options { _ in }) }
        #expect(throws: EngineError.self) { try generator.generate(promptIDs: [999_999], options: options { _ in }) }
        let small = model.makeCache(capacity: 4)
        #expect(throws: EngineError.self) { try generator.generate(promptIDs: [1, 2, 3, 4, 5], options: options { _ in }, cache: small) }
    }

    @Test func streamDeliversTokensThenResult() async throws {
        var pieces = ""
        var finished: GenerationResult?
        for try await event in generator.stream(promptIDs: generator.promptIDs(for: "The capital of France is"), options: options { $0.stop = ["\n"] }) {
            switch event {
            case let .token(t): pieces += t.text
            case let .finished(r): finished = r
            }
        }
        #expect(pieces == " Paris.")
        #expect(finished?.text == " Paris.")
        #expect(finished?.finishReason == .stop)
    }
}
