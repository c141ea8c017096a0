import Kernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns logits into the next token: penalties, then greedy or temperature / top-k / top-p / min-p
/// sampling. Keeps its candidate buffers between calls, so sampling allocates nothing after warm-up.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var random: RandomSource
    private var candidates: [Candidate] = []
    private var counts: [Int32: Int] = [:]
    private var probabilities: [Float] = []

    struct Candidate: Sendable {
        var id: Int32
        var logit: Float
    }

    public init(parameters: SamplingParameters) {
        self.parameters = parameters
        self.random = RandomSource(seed: parameters.seed ?? UInt64.random(in: 0...UInt64.max))
    }

    /// Picks a token from `logits` (modified in place by penalties), given the sequence so far. With a `constraint`
    /// the token is one it allows: the usual draw is kept when allowed, otherwise the forbidden tokens are masked
    /// (-∞) and the draw repeated (see ``OutputConstraint``).
    public mutating func sample(_ logits: UnsafeMutableBufferPointer<Float>, history: ArraySlice<Int32>,
                                constraint: OutputConstraint? = nil) -> Int32 {
        applyPenalties(logits, history: history)
        guard let constraint else { return draw(logits) }
        let first = draw(logits)
        if constraint.allows(first) { return first }
        guard constraint.restrict(logits) else { return constraint.vocabulary.endOfGeneration.min() ?? first }
        return draw(logits)
    }

    /// Greedy or temperature / top-k / top-p / min-p choice from `logits` (read only; -∞ entries are never chosen).
    private mutating func draw(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        if parameters.temperature <= 0 { return Self.argmax(logits) }
        guard let keep = prepareCandidates(logits) else { return Self.argmax(logits) }   // only NaN logits
        var total: Float = 0
        for i in 0..<keep { total += probabilities[i] }
        var r = random.nextUnit() * total
        for i in 0..<keep {
            r -= probabilities[i]
            if r <= 0 { return candidates[i].id }
        }
        return candidates[keep - 1].id
    }

    /// The distribution `sample` draws from at temperature > 0 (after penalties, which speculative sampling does
    /// not use): each kept token and its probability, summing to 1. Greedy: the argmax with probability 1.
    public mutating func distribution(_ logits: UnsafeMutableBufferPointer<Float>) -> [Int32: Float] {
        guard parameters.temperature > 0, let keep = prepareCandidates(logits) else { return [Self.argmax(logits): 1] }
        var total: Float = 0
        for i in 0..<keep { total += probabilities[i] }
        var result: [Int32: Float] = [:]
        result.reserveCapacity(keep)
        for i in 0..<keep { result[candidates[i].id] = probabilities[i] / total }
        return result
    }

    /// A uniform draw in [0, 1) from this sampler's seeded stream.
    public mutating func nextUnit() -> Float { random.nextUnit() }

    /// Fills `candidates` (sorted by logit, descending) and their unnormalised `probabilities` at the requested
    /// temperature, and returns how many survive top-k, min-p and top-p; `nil` when there is none.
    private mutating func prepareCandidates(_ logits: UnsafeMutableBufferPointer<Float>) -> Int? {
        let p = parameters
        // Candidate set: the top-k (or everything when k = 0), sorted by logit, descending.
        candidates.removeAll(keepingCapacity: true)
        let k = p.topK > 0 ? min(p.topK, logits.count) : logits.count
        if k < logits.count {
            collectTopK(logits, k: k)
        } else {
            // Sorting a whole vocabulary (150k entries) costs milliseconds per token, so only tokens within
            // 25 temperature-scaled nats of the best are kept: each dropped token has probability < e⁻²⁵ of
            // the best one's, so all of them together weigh < V·1.4e-11 (2e-6 for 150k tokens).
            var maxLogit = -Float.infinity
            for i in 0..<logits.count where logits[i] > maxLogit { maxLogit = logits[i] }
            let cutoff = maxLogit - 25 * p.temperature
            for i in 0..<logits.count where logits[i] >= cutoff {
                candidates.append(Candidate(id: Int32(i), logit: logits[i]))
            }
            candidates.sort { $0.logit > $1.logit }
        }
        if k < logits.count { candidates.removeAll { $0.logit == -.infinity } }   // masked tokens
        if candidates.isEmpty { return nil }
        // Probabilities at the requested temperature.
        let maxLogit = candidates[0].logit
        probabilities.removeAll(keepingCapacity: true)
        var sum: Float = 0
        for i in candidates.indices {
            let e = expf((candidates[i].logit - maxLogit) / p.temperature)
            probabilities.append(e)
            sum += e
        }
        var keep = candidates.count
        if p.minP > 0 {
            let threshold = p.minP * probabilities[0]
            var m = 1
            while m < keep, probabilities[m] >= threshold { m += 1 }
            keep = m
        }
        if p.topP < 1 {
            var cumulative: Float = 0
            var m = 0
            while m < keep {
                cumulative += probabilities[m] / sum
                m += 1
                if cumulative >= p.topP { break }
            }
            keep = m
        }
        return keep
    }

    /// Index of the largest logit (the lowest index wins a tie, as in llama.cpp).
    public static func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        guard let base = logits.baseAddress else { return 0 }
        return Int32(Ops.maxIndex(base, count: logits.count))
    }

    private mutating func applyPenalties(_ logits: UnsafeMutableBufferPointer<Float>, history: ArraySlice<Int32>) {
        let p = parameters
        guard p.penaltyWindow > 0, p.repetitionPenalty != 1 || p.frequencyPenalty != 0 || p.presencePenalty != 0 else { return }
        counts.removeAll(keepingCapacity: true)
        for id in history.suffix(p.penaltyWindow) where id >= 0 && Int(id) < logits.count { counts[id, default: 0] += 1 }
        for (id, count) in counts {
            var l = logits[Int(id)]
            l = l > 0 ? l / p.repetitionPenalty : l * p.repetitionPenalty
            l -= Float(count) * p.frequencyPenalty + p.presencePenalty
            logits[Int(id)] = l
        }
    }

    /// Fills `candidates` with the k largest logits, sorted descending (a bounded insertion pass:
    /// O(V) with a cheap rejection test for the common case).
    private mutating func collectTopK(_ logits: UnsafeMutableBufferPointer<Float>, k: Int) {
        for i in 0..<k { candidates.append(Candidate(id: Int32(i), logit: logits[i])) }
        candidates.sort { $0.logit > $1.logit }
        var floor = candidates[k - 1].logit
        for i in k..<logits.count {
            let l = logits[i]
            guard l > floor else { continue }
            var j = k - 1
            while j > 0, candidates[j - 1].logit < l {
                candidates[j] = candidates[j - 1]
                j -= 1
            }
            candidates[j] = Candidate(id: Int32(i), logit: l)
            floor = candidates[k - 1].logit
        }
    }
}
