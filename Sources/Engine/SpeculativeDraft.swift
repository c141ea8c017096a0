/// One sequence's speculative-decoding state: the draft model's cache, the two samplers of the rejection rule, how many
/// tokens to propose next and what was proposed and kept. `SpeculativeGenerator` and `BatchScheduler` both run their
/// rounds with it; the target's verification pass and the sequence's own state stay with them.
///
/// A round: ``propose(context:count:)`` catches the draft up on the tokens it has not read and lets it propose; the
/// target reads its last token and the proposals in one pass; ``choice(at:logits:)`` gives the token the rule picks
/// at each row (`nil` when greedy: the sequence takes its own argmax); ``endRound(kept:base:)`` forgets what the draft
/// read beyond the kept tokens and adapts the number of proposals.
struct SpeculativeDraft {
    let model: LanguageModel
    let adapters: AdapterMix
    let cache: KVCache
    let greedy: Bool
    let maxProposals: Int
    /// Proposals in the next round: one more after a round that kept them all, one fewer after one that kept none.
    private(set) var count: Int
    private(set) var statistics = SpeculativeGenerator.Statistics()
    private var draftSampler: Sampler
    private var targetSampler: Sampler
    private var proposals: [Int32] = []
    private var distributions: [[Int32: Float]] = []

    init(model: LanguageModel, adapters: AdapterMix, capacity: Int, sampling: SamplingParameters, maxProposals: Int) {
        self.model = model
        self.adapters = adapters
        self.cache = model.makeCache(capacity: capacity)
        self.greedy = sampling.temperature <= 0
        self.maxProposals = maxProposals
        self.count = min(2, maxProposals)
        var seed = sampling.seed ?? UInt64.random(in: 0...UInt64.max)
        self.targetSampler = Sampler(parameters: Self.parameters(sampling, seed: RandomSource.splitMix(&seed)))
        self.draftSampler = Sampler(parameters: Self.parameters(sampling, seed: RandomSource.splitMix(&seed)))
    }

    /// Whether speculation keeps a request's output distribution: no output constraint, and when sampling no
    /// repetition, frequency or presence penalty (the rejection rule needs the distributions without them).
    static func supports(_ options: GenerationOptions) -> Bool {
        let s = options.sampling
        let penalised = s.penaltyWindow > 0 && (s.repetitionPenalty != 1 || s.frequencyPenalty != 0 || s.presencePenalty != 0)
        return options.constraint == nil && (s.temperature <= 0 || !penalised)
    }

    /// A token drawn from the target's distribution for `logits` (the first token of a sampled generation).
    mutating func sampleTarget(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        Self.draw(targetSampler.distribution(logits), using: &targetSampler)
    }

    /// Reads the tokens of `context` the draft has not read (the whole prompt in a sequence's first round, then the
    /// last token or two) and proposes `count` tokens, one draft pass each.
    mutating func propose(context: [Int32], count k: Int) throws(EngineError) -> [Int32] {
        proposals.removeAll(keepingCapacity: true)
        distributions.removeAll(keepingCapacity: true)
        guard k > 0 else { return [] }
        var pending = Array(context[cache.count...])
        for _ in 0..<k {
            let logits = try model.forward(pending.enumerated().map { i, token in
                BatchRow(token: token, position: cache.count + i, cache: cache, wantsLogits: i == pending.count - 1, adapters: adapters)
            })
            let proposal: Int32
            if greedy {
                proposal = Sampler.argmax(logits[0])
            } else {
                let q = draftSampler.distribution(logits[0])
                proposal = Self.draw(q, using: &draftSampler)
                distributions.append(q)
            }
            proposals.append(proposal)
            pending = [proposal]
        }
        return proposals
    }

    /// The token of verification row `i` (the target's logits after the last token and `i` proposals): `nil` when
    /// greedy (the target's argmax decides); when sampling, proposal `d` is kept with probability min(1, p(d)/q(d)),
    /// else a draw from the normalised residual max(0, p − q); after the last proposal, a draw from p.
    mutating func choice(at i: Int, logits: UnsafeMutableBufferPointer<Float>) -> Int32? {
        guard !greedy else { return nil }
        let p = targetSampler.distribution(logits)
        guard i < proposals.count else { return Self.draw(p, using: &targetSampler) }
        let d = proposals[i]
        let ratio = (p[d] ?? 0) / max(distributions[i][d] ?? 0, .leastNonzeroMagnitude)
        if targetSampler.nextUnit() < ratio { return d }
        return Self.draw(Self.residual(p, minus: distributions[i]), using: &targetSampler)
    }

    /// Ends a round in which the target's cache held `base` tokens before verification and `kept` proposals agreed:
    /// the draft forgets what it read beyond them.
    mutating func endRound(kept: Int, base: Int) {
        cache.truncate(to: min(cache.count, base + 1 + kept))
        guard !proposals.isEmpty else { return }
        statistics.rounds += 1
        statistics.proposed += proposals.count
        statistics.accepted += kept
        count = kept == proposals.count ? min(maxProposals, count + 1) : kept == 0 ? max(1, count - 1) : count
    }

    mutating func addTimes(draft: Double, verify: Double) {
        statistics.draftSeconds += draft
        statistics.verifySeconds += verify
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
}
