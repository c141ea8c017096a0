import Engine
import Foundation

extension Benchmark {
    /// Time to first token of a continued conversation with and without the prefix cache.
    struct PrefixCacheResult {
        /// Median seconds to the first token when the whole prompt is read (nothing kept).
        let coldSeconds: Double
        /// Median seconds when an earlier request's `prefixTokens` tokens are kept and only the new turn is read.
        let warmSeconds: Double
        let prefixTokens: Int
        let newTokens: Int
    }

    /// Sends `prefixTokens` tokens of conversation (random token ids: the speed does not depend on them), then the
    /// same tokens plus `newTokens` more, through a `BatchScheduler` with a prefix cache, and times the first token
    /// of each. The first request of each repetition has a fresh prefix, so it is cold; the second is warm.
    func runPrefixCache(prefixTokens: Int, newTokens: Int = 24, repetitions: Int, log: (String) -> Void) async throws -> PrefixCacheResult {
        let perToken = model.makeCache(capacity: 1).byteCount
        let scheduler = BatchScheduler(model: model, configuration: SchedulerConfiguration(
            maxActiveSequences: 1, prefillTokensPerStep: 512, contextLength: prefixTokens + newTokens + 8,
            prefixCacheBytes: perToken * (prefixTokens + newTokens + 8) * 2))
        var options = GenerationOptions()
        options.sampling = .greedy
        options.maxTokens = 1
        options.ignoreEndOfGeneration = true
        var random = RandomSource(seed: 11)
        let vocabulary = UInt64(model.vocabularySize)
        func tokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(truncatingIfNeeded: random.next() % vocabulary) } }
        func firstToken(_ prompt: [Int32]) async throws -> (seconds: Double, cached: Int) {
            let start = ContinuousClock.now
            for try await event in try scheduler.submit(promptIDs: prompt, options: options) {
                if case let .finished(result) = event {
                    return (Self.seconds(ContinuousClock.now - start), result.timings.cachedPromptTokens)
                }
            }
            throw CancellationError()
        }
        var cold: [Double] = [], warm: [Double] = []
        for r in 0..<repetitions {
            let conversation = tokens(prefixTokens)
            let first = try await firstToken(conversation)
            let second = try await firstToken(conversation + tokens(newTokens))
            guard first.cached == 0, second.cached >= prefixTokens - 1 else {
                throw EngineError.invalidArgument("prefix cache did not take: \(first.cached) then \(second.cached) tokens reused")
            }
            cold.append(first.seconds)
            warm.append(second.seconds)
            log(String(format: "prefix %d + %d tokens, run %d: first token after %.3f s cold, %.3f s with %d tokens kept",
                       prefixTokens, newTokens, r + 1, first.seconds, second.seconds, second.cached))
        }
        await scheduler.shutdown(cancelInFlight: true)
        return PrefixCacheResult(coldSeconds: Self.median(cold), warmSeconds: Self.median(warm),
                                 prefixTokens: prefixTokens, newTokens: newTokens)
    }
}
