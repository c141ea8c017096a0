import Engine
import Foundation

extension Benchmark {
    /// Aggregate generation speed of `sequences` concurrent sequences on one `BatchScheduler`:
    /// every sequence generates `generateTokens` tokens after a short prompt; tokens/s over the
    /// whole run (first submit to last token). Median of `repetitions`.
    /// Sequence `i` gets `adapters[i % adapters.count]` (none when the list is empty).
    func runParallel(sequences: Int, generateTokens: Int, repetitions: Int, adapters: [AdapterMix] = [],
                     log: (String) -> Void) async throws -> Double {
        let scheduler = BatchScheduler(model: model, configuration: SchedulerConfiguration(
            maxActiveSequences: sequences, maxQueuedRequests: sequences, contextLength: generateTokens + 16))
        var options = GenerationOptions()
        options.sampling = .greedy
        options.maxTokens = generateTokens
        options.ignoreEndOfGeneration = true
        var random = RandomSource(seed: 7)
        let vocabulary = UInt64(model.vocabularySize)
        var rates: [Double] = []
        for r in 0..<repetitions {
            let prompts = (0..<sequences).map { _ in (0..<8).map { _ in Int32(truncatingIfNeeded: random.next() % vocabulary) } }
            let start = ContinuousClock.now
            let streams = try prompts.enumerated().map { i, prompt in
                var sequenceOptions = options
                if !adapters.isEmpty { sequenceOptions.adapters = adapters[i % adapters.count] }
                return try scheduler.submit(promptIDs: prompt, options: sequenceOptions)
            }
            var generated = 0
            try await withThrowingTaskGroup(of: Int.self) { group in
                for stream in streams {
                    group.addTask {
                        var count = 0
                        for try await event in stream { if case .token = event { count += 1 } }
                        return count
                    }
                }
                for try await count in group { generated += count }
            }
            rates.append(Double(generated) / Self.seconds(ContinuousClock.now - start))
            log(String(format: "tg%d ×%d run %d: %.1f tok/s in total", generateTokens, sequences, r + 1, rates.last!))
        }
        await scheduler.shutdown(cancelInFlight: true)
        return Self.median(rates)
    }
}
