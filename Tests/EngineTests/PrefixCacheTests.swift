@testable import Engine
import Foundation
import Testing

/// Prefix caching on a real model (SmolLM2-135M): a prompt that repeats an earlier sequence's tokens
/// reads only the new ones, answers as a cold run does, and the kept caches stay within their budget.
@Suite(.serialized)
struct PrefixCacheTests {
    let model: LanguageModel
    let generator: Generator

    init() throws {
        model = try TestModel.smollm2.load()
        generator = Generator(model: model)
    }

    private func greedy(_ maxTokens: Int, adapters: AdapterMix = .none) -> GenerationOptions {
        var o = GenerationOptions()
        o.sampling = .greedy
        o.maxTokens = maxTokens
        o.ignoreEndOfGeneration = true
        o.adapters = adapters
        return o
    }

    private func run(_ scheduler: BatchScheduler, _ prompt: [Int32], _ options: GenerationOptions) async throws -> GenerationResult {
        for try await event in try scheduler.submit(promptIDs: prompt, options: options) {
            if case let .finished(result) = event { return result }
        }
        throw CancellationError()
    }

    private func scheduler(prefixCacheBytes: Int) -> BatchScheduler {
        BatchScheduler(model: model, configuration: SchedulerConfiguration(maxActiveSequences: 2, prefillTokensPerStep: 64,
                                                                           prefixCacheBytes: prefixCacheBytes))
    }

    private var conversation: [Int32] {
        generator.promptIDs(for: """
        <|im_start|>system
        You are a careful assistant. Answer briefly and name your sources when you can.<|im_end|>
        <|im_start|>user
        Tell me about the history of the lighthouse at Alexandria, who built it, and why it mattered to sailors.<|im_end|>
        <|im_start|>assistant
        The Pharos of Alexandria was built under Ptolemy I and II in the third century BC. It guided ships into the
        harbour past dangerous shoals and was one of the Seven Wonders of the ancient world.<|im_end|>
        <|im_start|>user
        """)
    }

    @Test func aContinuedConversationReadsOnlyItsNewTokensAndAnswersAsAColdRun() async throws {
        let first = conversation + generator.promptIDs(for: "How tall was it?<|im_end|>\n<|im_start|>assistant\n")
        let warm = scheduler(prefixCacheBytes: 64 << 20)
        let firstRun = try await run(warm, first, greedy(12))
        #expect(firstRun.timings.cachedPromptTokens == 0)

        // The next turn repeats the first request's prompt and answer, then asks again.
        let second = first + firstRun.ids + generator.promptIDs(for: "<|im_end|>\n<|im_start|>user\nAnd when did it fall?<|im_end|>\n<|im_start|>assistant\n")
        let warmRun = try await run(warm, second, greedy(16))
        // Every position the first sequence fed (its prompt and all but its last token) is reused.
        #expect(warmRun.timings.cachedPromptTokens == first.count + firstRun.ids.count - 1)
        let stats = warm.prefixCacheStatistics
        #expect(stats.hits == 1 && stats.cachedTokens == warmRun.timings.cachedPromptTokens)
        await warm.shutdown(cancelInFlight: false)

        let cold = scheduler(prefixCacheBytes: 0)
        let coldRun = try await run(cold, second, greedy(16))
        await cold.shutdown(cancelInFlight: false)
        #expect(coldRun.timings.cachedPromptTokens == 0)
        #expect(warmRun.ids == coldRun.ids, "greedy output with the prefix cache differs from a cold run")
    }

    /// Every architecture (Qwen2's biases, Gemma 3's sliding-window layers and embedding scale): a prompt whose first
    /// part comes from the cache is answered as when read whole.
    @Test(arguments: [TestModel.qwen25, TestModel.gemma3, TestModel.qwen3Fixture])
    func reuseMatchesAColdRunOn(_ testModel: TestModel) async throws {
        let model = try testModel.load()
        let generator = Generator(model: model)
        let shared = generator.promptIDs(for: String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 12))
        let prompt = shared + generator.promptIDs(for: " Now count the words in that text, then say which animal is lazy.")
        func answer(_ scheduler: BatchScheduler, _ prompt: [Int32]) async throws -> GenerationResult {
            try await run(scheduler, prompt, greedy(16))
        }
        let warm = BatchScheduler(model: model, configuration: SchedulerConfiguration(prefillTokensPerStep: 64, prefixCacheBytes: 64 << 20))
        _ = try await answer(warm, shared)
        let reused = try await answer(warm, prompt)
        await warm.shutdown(cancelInFlight: false)
        let cold = BatchScheduler(model: model, configuration: SchedulerConfiguration(prefillTokensPerStep: 64))
        let whole = try await answer(cold, prompt)
        await cold.shutdown(cancelInFlight: false)
        #expect(reused.timings.cachedPromptTokens >= shared.count - 8)
        #expect(reused.ids == whole.ids, "\(testModel): greedy output with the prefix cache differs from a cold run")
    }

    @Test func theSamePromptAgainReusesAllButItsLastEightTokens() async throws {
        let prompt = conversation + generator.promptIDs(for: "Who was Sostratus?<|im_end|>\n<|im_start|>assistant\n")
        let scheduler = scheduler(prefixCacheBytes: 64 << 20)
        let a = try await run(scheduler, prompt, greedy(8))
        let b = try await run(scheduler, prompt, greedy(8))
        await scheduler.shutdown(cancelInFlight: false)
        #expect(b.timings.cachedPromptTokens == prompt.count - 8, "the last 8 prompt tokens are read again (logits, same kernels)")
        #expect(a.ids == b.ids)
    }

    @Test func adaptersKeepTheirOwnEntries() async throws {
        let adapter = try LoRAAdapter.random(configuration: model.configuration, rank: 4, targets: [.query, .value], seed: 3)
        let prompt = conversation + generator.promptIDs(for: "Is it still standing?<|im_end|>\n<|im_start|>assistant\n")
        let scheduler = scheduler(prefixCacheBytes: 64 << 20)
        _ = try await run(scheduler, prompt, greedy(4, adapters: AdapterMix(adapter)))
        let base = try await run(scheduler, prompt, greedy(4))
        let again = try await run(scheduler, prompt, greedy(4, adapters: AdapterMix(adapter)))
        await scheduler.shutdown(cancelInFlight: false)
        #expect(base.timings.cachedPromptTokens == 0, "keys computed under an adapter must not serve the base model")
        #expect(again.timings.cachedPromptTokens == prompt.count - 8)
    }

    @Test func keptCachesStayWithinTheBudget() async throws {
        let perToken = model.makeCache(capacity: 1).byteCount
        let budget = perToken * 300
        let scheduler = scheduler(prefixCacheBytes: budget)
        for topic in ["rivers", "mountains", "violins", "harbours", "falcons", "glaciers"] {
            let prompt = generator.promptIDs(for: String(repeating: "Write a long essay about \(topic) and their history. ", count: 8))
            _ = try await run(scheduler, prompt, greedy(4))
            let stats = scheduler.prefixCacheStatistics
            #expect(stats.bytes <= budget, "kept \(stats.bytes) bytes, budget \(budget)")
        }
        let stats = scheduler.prefixCacheStatistics
        await scheduler.shutdown(cancelInFlight: false)
        #expect(stats.entries >= 1 && stats.entries < 6, "older entries are dropped to make room: \(stats)")
    }

    @Test func anEntryExtendedByALaterOneIsReplaced() throws {
        let cache = PrefixCache(budgetBytes: 64 << 20)
        let tokens = (0..<64).map { Int32($0 + 10) }
        func filled(_ n: Int) -> KVCache {
            let c = model.makeCache(capacity: n)
            c.count = n
            return c
        }
        cache.store(tokens: Array(tokens[..<40]), adapters: .none, cache: filled(40), model: model)
        cache.store(tokens: tokens, adapters: .none, cache: filled(64), model: model)
        #expect(cache.entryCount == 1, "the 40-token entry is a prefix of the 64-token one")
        cache.store(tokens: Array(tokens[..<50]), adapters: .none, cache: filled(50), model: model)
        #expect(cache.entryCount == 1, "a prefix of a kept entry is not stored again")
        var other = tokens
        other[20] = 7
        #expect(cache.longestPrefix(of: other, adapters: .none, limit: 64)?.length == 20)
        #expect(cache.longestPrefix(of: Array(other[..<15]), adapters: .none, limit: 64) == nil, "shorter than a block")
        #expect(cache.longestPrefix(of: tokens + [1, 2, 3], adapters: .none, limit: 60)?.length == 60)
    }
}
