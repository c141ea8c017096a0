/// Speculative decoding of one sequence: a small draft model of the same vocabulary proposes a few tokens, the target
/// model checks them all in one forward pass, and every proposal it agrees with is a token gained without a pass of
/// its own.
///
/// Greedy: a proposal is kept while it is the token the target would have chosen, so the output is the target's own.
/// Sampled (temperature > 0): proposal `d` drawn from the draft's distribution `q` is kept with probability
/// `min(1, p(d) / q(d))`, where `p` is the target's; at the first refusal the token is drawn from the normalised
/// residual `max(0, p − q)`, and after `k` kept proposals one more comes from `p`. Each token then has exactly the
/// target's distribution (Leviathan et al. 2023; Chen et al. 2023). Both distributions come from the same sampling
/// parameters (temperature, top-k, top-p, min-p).
///
/// The number of proposals per round adapts: one more after a round that kept them all, one fewer after one that kept
/// none, within `1...maxDraftTokens`.
public final class SpeculativeGenerator: @unchecked Sendable {
    public let target: LanguageModel
    public let draft: LanguageModel
    /// Adapters applied to the draft (the target's come from the request's options).
    public let draftAdapters: AdapterMix
    public let maxDraftTokens: Int

    /// What one generation proposed and kept.
    public struct Statistics: Sendable, Equatable {
        public var rounds = 0, proposed = 0, accepted = 0
        /// Seconds in the draft's passes and in the target's verification passes.
        public var draftSeconds = 0.0, verifySeconds = 0.0
        public var acceptanceRate: Double { proposed > 0 ? Double(accepted) / Double(proposed) : 0 }
        public init() {}
    }

    /// Most proposals per round. The verification pass then has at most 4 rows, which the matrix kernels compute in one
    /// read of the weights (they take activation rows four at a time) and, with the target's `uniformRowSums` set, row by
    /// row exactly as a single decode row (from 8 rows on they switch to tiles that sum in another order), so greedy
    /// output is bit for bit the target's own.
    public static let draftTokenLimit = 3

    public init(target: LanguageModel, draft: LanguageModel, draftAdapters: AdapterMix = .none, maxDraftTokens: Int = 3) throws(EngineError) {
        try Self.checkCompatible(target: target, draft: draft)
        try draftAdapters.validate(for: draft.configuration)
        // Verification rows must sum as a lone decode row does (see `draftTokenLimit`).
        target.scratch.uniformRowSums = true
        self.target = target
        self.draft = draft
        self.draftAdapters = draftAdapters
        self.maxDraftTokens = min(Self.draftTokenLimit, max(1, maxDraftTokens))
    }

    /// Throws unless the two models share a vocabulary (same size, same token texts, same end-of-generation tokens).
    public static func checkCompatible(target: LanguageModel, draft: LanguageModel) throws(EngineError) {
        let (t, d) = (target.tokenizer, draft.tokenizer)
        guard target.vocabularySize == draft.vocabularySize, t.vocabularySize == d.vocabularySize, t.eogIDs == d.eogIDs,
              (0..<Int32(t.vocabularySize)).allSatisfy({ t.tokenText($0) == d.tokenText($0) }) else {
            throw .invalidArgument("the draft model's vocabulary (\(draft.tokenizer.vocabularySize) tokens) differs from the target's (\(target.tokenizer.vocabularySize)): speculative decoding needs the same tokenizer")
        }
    }

    /// Generates as `Generator.generate` does, with the draft's help. Constraints are not supported, nor penalties when
    /// sampling (the rejection rule needs the distributions without them).
    public func generate(promptIDs: [Int32], options: GenerationOptions,
                         onToken: (GeneratedToken) -> Bool = { _ in true }) throws -> (GenerationResult, Statistics) {
        try options.validate()
        try options.adapters.validate(for: target.configuration)
        guard !promptIDs.isEmpty else { throw EngineError.invalidArgument("the prompt is empty") }
        guard options.constraint == nil else { throw EngineError.invalidArgument("speculative decoding does not support output constraints") }
        guard SpeculativeDraft.supports(options) else {
            throw EngineError.invalidArgument("speculative sampling does not support repetition, frequency or presence penalties")
        }
        let capacity = promptIDs.count + options.maxTokens + maxDraftTokens + 1
        let targetCache = target.makeCache(capacity: capacity)
        var speculation = SpeculativeDraft(model: draft, adapters: draftAdapters, capacity: capacity, sampling: options.sampling,
                                           maxProposals: maxDraftTokens)
        let clock = ContinuousClock()
        var timings = GenerationTimings()
        var state = SequenceState(promptIDs: promptIDs, options: options, tokenizer: target.tokenizer)

        // The target reads the prompt in one pass, as `Generator` does (so greedy output is the same bit for bit), and
        // gives the first token; the draft reads the prompt in its first round.
        let start = clock.now
        let promptLogits = try target.forward(promptIDs.enumerated().map { i, token in
            BatchRow(token: token, position: i, cache: targetCache, wantsLogits: i == promptIDs.count - 1, adapters: options.adapters)
        })
        timings.promptTokens = promptIDs.count
        timings.promptSeconds = (clock.now - start).seconds
        let generationStart = clock.now
        let first = speculation.greedy ? nil : speculation.sampleTarget(promptLogits[0])
        let firstToken = state.advance(logits: promptLogits[0], chosen: first)
        var context = promptIDs + [firstToken.id]
        timings.generatedTokens = 1
        var going = onToken(firstToken)

        while going && state.finishReason == nil {
            // Room left: a round emits up to k + 1 tokens.
            let draftStart = clock.now
            let proposals = try speculation.propose(context: context, count: min(speculation.count, options.maxTokens - state.ids.count - 1))
            // The target reads the last token and every proposal in one pass: k + 1 rows of logits.
            let verifyStart = clock.now
            let base = targetCache.count
            let logits = try target.forward(([context[context.count - 1]] + proposals).enumerated().map { i, token in
                BatchRow(token: token, position: base + i, cache: targetCache, wantsLogits: true, adapters: options.adapters)
            })
            speculation.addTimes(draft: (verifyStart - draftStart).seconds, verify: (clock.now - verifyStart).seconds)
            var kept = 0
            for i in 0...proposals.count {
                let chosen = speculation.choice(at: i, logits: logits[i])
                let token = state.advance(logits: logits[i], canContinue: targetCache.count < targetCache.capacity, chosen: chosen)
                context.append(token.id)
                timings.generatedTokens += 1
                going = onToken(token)
                let agreed = i < proposals.count && token.id == proposals[i]
                if agreed { kept += 1 }
                if !going || state.finishReason != nil || !agreed { break }
            }
            // Forget what the target and draft read beyond the kept tokens.
            targetCache.truncate(to: base + 1 + kept)
            speculation.endRound(kept: kept, base: base)
        }
        if !going { state.cancel() }
        timings.generationSeconds = (clock.now - generationStart).seconds
        timings.draftProposed = speculation.statistics.proposed
        timings.draftAccepted = speculation.statistics.accepted
        return (state.result(timings: timings), speculation.statistics)
    }
}
