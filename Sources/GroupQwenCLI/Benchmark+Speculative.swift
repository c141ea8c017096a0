import Engine
import Foundation

extension Benchmark {
    /// Generation speed with and without a draft model.
    struct SpeculativeResult {
        let plainTPS: Double
        let speculativeTPS: Double
        let statistics: SpeculativeGenerator.Statistics
        /// Prompts whose greedy output was the same both ways (it must be all of them).
        let identical: Int
        let prompts: Int
    }

    /// Code requests, written as ChatML turns (the Qwen family's template).
    static let codePrompts = [
        "Write a Python function that checks whether a string is a palindrome, ignoring case and spaces.",
        "Write a JavaScript function that debounces another function.",
        "Write a Rust function that returns the n-th Fibonacci number iteratively.",
        "Write a SQL query that lists the ten customers with the highest total order value.",
        "Write a Python class for a stack with push, pop and peek.",
    ].map { "<|im_start|>system\nYou are a helpful coding assistant.<|im_end|>\n<|im_start|>user\n\($0)<|im_end|>\n<|im_start|>assistant\n" }

    /// Greedy generation of up to `generateTokens` tokens for each code prompt, by the model alone and with `draft`
    /// proposing up to `draftTokens` tokens per round; tokens/s over all prompts (generation time only, the prompt's
    /// pass excluded, as in tg), median of `repetitions`.
    func runSpeculative(draft: LanguageModel, draftTokens: Int, generateTokens: Int, repetitions: Int,
                        log: (String) -> Void) throws -> SpeculativeResult {
        let generator = Generator(model: model)
        let speculative = try SpeculativeGenerator(target: model, draft: draft, maxDraftTokens: draftTokens)
        var options = GenerationOptions()
        options.sampling = .greedy
        options.maxTokens = generateTokens
        let prompts = Self.codePrompts.map { generator.chatPromptIDs(for: $0) }
        var plainRates: [Double] = [], speculativeRates: [Double] = []
        var statistics = SpeculativeGenerator.Statistics()
        var identical = 0
        for r in 0..<repetitions {
            var plain = (tokens: 0, seconds: 0.0), fast = (tokens: 0, seconds: 0.0)
            for prompt in prompts {
                let alone = try generator.generate(promptIDs: prompt, options: options)
                let (helped, st) = try speculative.generate(promptIDs: prompt, options: options)
                plain.tokens += alone.timings.generatedTokens
                plain.seconds += alone.timings.generationSeconds
                fast.tokens += helped.timings.generatedTokens
                fast.seconds += helped.timings.generationSeconds
                if r == 0 {
                    statistics.rounds += st.rounds
                    statistics.proposed += st.proposed
                    statistics.accepted += st.accepted
                    statistics.draftSeconds += st.draftSeconds
                    statistics.verifySeconds += st.verifySeconds
                    if helped.ids == alone.ids { identical += 1 }
                }
            }
            plainRates.append(Double(plain.tokens) / plain.seconds)
            speculativeRates.append(Double(fast.tokens) / fast.seconds)
            log(String(format: "code prompts run %d: %.1f tok/s alone, %.1f tok/s with the draft", r + 1, plainRates.last!, speculativeRates.last!))
        }
        return SpeculativeResult(plainTPS: Self.median(plainRates), speculativeTPS: Self.median(speculativeRates),
                                 statistics: statistics, identical: identical, prompts: prompts.count)
    }
}
