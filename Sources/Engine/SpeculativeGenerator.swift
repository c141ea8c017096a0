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
        public var acceptanceRate: Double { proposed > 0 ? Double(accepted) / Double(proposed) : 0 }
        public init() {}
    }

    /// Throws unless the two models share a vocabulary (same size, same end-of-generation tokens).
    /// Most proposals per round. The verification pass then has at most 4 rows, which the matrix kernels compute in one
    /// read of the weights (they take activation rows four at a time) and, with the target's `uniformRowSums` set, row by
    /// row exactly as a single decode row (from 8 rows on they switch to tiles that sum in another order), so greedy
    /// output is bit for bit the target's own.
    public static let draftTokenLimit = 3

    public init(target: LanguageModel, draft: LanguageModel, draftAdapters: AdapterMix = .none, maxDraftTokens: Int = 3) throws(EngineError) {
        let (t, d) = (target.tokenizer, draft.tokenizer)
        guard target.vocabularySize == draft.vocabularySize, t.vocabularySize == d.vocabularySize, t.eogIDs == d.eogIDs,
              (0..<Int32(t.vocabularySize)).allSatisfy({ t.tokenText($0) == d.tokenText($0) }) else {
            throw .invalidArgument("the draft model's vocabulary (\(draft.tokenizer.vocabularySize) tokens) differs from the target's (\(target.tokenizer.vocabularySize)): speculative decoding needs the same tokenizer")
        }
        try draftAdapters.validate(for: draft.configuration)
        // Verification rows must sum as a lone decode row does (see `draftTokenLimit`).
        target.scratch.uniformRowSums = true
        self.target = target
        self.draft = draft
        self.draftAdapters = draftAdapters
        self.maxDraftTokens = min(Self.draftTokenLimit, max(1, maxDraftTokens))
    }

    /// Generates as `Generator.generate` does, with the draft's help. Constraints are not supported, nor penalties when
    /// sampling (the rejection rule needs the distributions without them).
    public func generate(promptIDs: [Int32], options: GenerationOptions,
                         onToken: (GeneratedToken) -> Bool = { _ in true }) throws -> (GenerationResult, Statistics) {
        try options.validate()
        try options.adapters.validate(for: target.configuration)
        guard !promptIDs.isEmpty else { throw EngineError.invalidArgument("the prompt is empty") }
        guard options.constraint == nil else { throw EngineError.invalidArgument("speculative decoding does not support output constraints") }
        let sampling = options.sampling
        let greedy = sampling.temperature <= 0
        let penalised = sampling.penaltyWindow > 0
            && (sampling.repetitionPenalty != 1 || sampling.frequencyPenalty != 0 || sampling.presencePenalty != 0)
        if !greedy && penalised {
            throw EngineError.invalidArgument("speculative sampling does not support repetition, frequency or presence penalties")
        }
        let capacity = promptIDs.count + options.maxTokens + maxDraftTokens + 1
        let targetCache = target.makeCache(capacity: capacity)
        let draftCache = draft.makeCache(capacity: capacity)
        let clock = ContinuousClock()
        var timings = GenerationTimings()
        var statistics = Statistics()
        var state = SequenceState(promptIDs: promptIDs, options: options, tokenizer: target.tokenizer)
        var seed = sampling.seed ?? UInt64.random(in: 0...UInt64.max)
        var targetSampler = Sampler(parameters: Self.parameters(sampling, seed: Self.splitMix(&seed)))
        var draftSampler = Sampler(parameters: Self.parameters(sampling, seed: Self.splitMix(&seed)))

        // The target reads the prompt in one pass, as `Generator` does (so greedy output is the same bit for bit), and
        // gives the first token; the draft reads the prompt in its first round.
        let start = clock.now
        let promptLogits = try target.forward(Self.rows(promptIDs, from: 0, cache: targetCache, adapters: options.adapters, logits: .last))
        timings.promptTokens = promptIDs.count
        timings.promptSeconds = (clock.now - start).seconds
        let generationStart = clock.now
        let first = greedy ? nil : Self.draw(targetSampler.distribution(promptLogits[0]), using: &targetSampler)
        let firstToken = state.advance(logits: promptLogits[0], chosen: first)
        var context = promptIDs + [firstToken.id]
        timings.generatedTokens = 1
        var going = onToken(firstToken)
        var draftCount = 2

        while going && state.finishReason == nil {
            // Room left: a round emits up to k + 1 tokens.
            let k = min(draftCount, options.maxTokens - state.ids.count - 1)
            var proposals: [Int32] = []
            var draftDistributions: [[Int32: Float]] = []
            if k > 0 {
                // Catch the draft up on the tokens it has not read (the last one, or two after a fully kept round), then
                // let it propose k tokens, one pass each.
                var pending = Array(context[draftCache.count...])
                for _ in 0..<k {
                    let draftLogits = try draft.forward(Self.rows(pending, from: draftCache.count, cache: draftCache,
                                                                  adapters: draftAdapters, logits: .last))
                    let proposal: Int32
                    if greedy {
                        proposal = Sampler.argmax(draftLogits[0])
                    } else {
                        let q = draftSampler.distribution(draftLogits[0])
                        proposal = Self.draw(q, using: &draftSampler)
                        draftDistributions.append(q)
                    }
                    proposals.append(proposal)
                    pending = [proposal]
                }
            }
            // The target reads the last token and every proposal in one pass: k + 1 rows of logits.
            let base = targetCache.count
            let logits = try target.forward(Self.rows([context[context.count - 1]] + proposals, from: base, cache: targetCache,
                                                  adapters: options.adapters, logits: .all))
            var kept = 0
            for i in 0...proposals.count {
                let chosen: Int32?
                if i == proposals.count {
                    chosen = greedy ? nil : Self.draw(targetSampler.distribution(logits[i]), using: &targetSampler)
                } else if greedy {
                    chosen = nil
                } else {
                    let p = targetSampler.distribution(logits[i])
                    let d = proposals[i]
                    let ratio = (p[d] ?? 0) / max(draftDistributions[i][d] ?? 0, .leastNonzeroMagnitude)
                    if targetSampler.nextUnit() < ratio {
                        chosen = d
                    } else {
                        chosen = Self.draw(Self.residual(p, minus: draftDistributions[i]), using: &targetSampler)
                    }
                }
                let token = state.advance(logits: logits[i], canContinue: targetCache.count < targetCache.capacity, chosen: chosen)
                context.append(token.id)
                timings.generatedTokens += 1
                going = onToken(token)
                let agreed = i < proposals.count && token.id == proposals[i]
                if agreed { kept += 1 }
                if !going || state.finishReason != nil || !agreed { break }
            }
            statistics.rounds += 1
            statistics.proposed += proposals.count
            statistics.accepted += kept
            // Forget what the target and draft read beyond the kept tokens.
            targetCache.truncate(to: base + 1 + kept)
            draftCache.truncate(to: min(draftCache.count, base + 1 + kept))
            if k > 0 { draftCount = kept == proposals.count ? min(maxDraftTokens, draftCount + 1) : kept == 0 ? max(1, draftCount - 1) : draftCount }
        }
        if !going { state.cancel() }
        timings.generationSeconds = (clock.now - generationStart).seconds
        return (state.result(timings: timings), statistics)
    }

    private enum WantedLogits { case last, all }

    private static func rows(_ tokens: [Int32], from position: Int, cache: KVCache, adapters: AdapterMix, logits: WantedLogits) -> [BatchRow] {
        tokens.enumerated().map { i, token in
            BatchRow(token: token, position: position + i, cache: cache,
                     wantsLogits: logits == .all || i == tokens.count - 1, adapters: adapters)
        }
    }

    /// `max(0, p − q)`, normalised; `p` itself when nothing is left (the two agree).
    private static func residual(_ p: [Int32: Float], minus q: [Int32: Float]) -> [Int32: Float] {
        var r: [Int32: Float] = [:]
        var total: Float = 0
        for (id, pi) in p {
            let v = pi - (q[id] ?? 0)
            if v > 0 { r[id] = v; total += v }
        }
        guard total > 0 else { return p }
        return r.mapValues { $0 / total }
    }

    /// A draw from a normalised distribution, in a fixed order (by id) so that a seed repeats its choices.
    private static func draw(_ distribution: [Int32: Float], using sampler: inout Sampler) -> Int32 {
        let entries = distribution.sorted { $0.key < $1.key }
        var r = sampler.nextUnit()
        for (id, p) in entries {
            r -= p
            if r <= 0 { return id }
        }
        return entries.last?.key ?? 0
    }

    private static func parameters(_ p: SamplingParameters, seed: UInt64) -> SamplingParameters {
        var p = p
        p.seed = seed
        return p
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
