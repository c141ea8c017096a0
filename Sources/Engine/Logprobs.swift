import Kernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Natural-log probabilities from raw logits (softmax over the whole vocabulary, temperature 1).
public enum Logprobs {
    /// log Σ exp(logits), computed stably.
    public static func logSumExp(_ logits: UnsafeBufferPointer<Float>) -> Float {
        guard let base = logits.baseAddress else { return -.infinity }
        return Ops.logSumExp(base, count: logits.count)
    }

    /// The `count` most likely tokens with their log-probabilities, most likely first.
    public static func top(_ logits: UnsafeBufferPointer<Float>, count: Int) -> [(id: Int32, logprob: Float)] {
        guard count > 0 else { return [] }
        let lse = logSumExp(logits)
        var best: [(id: Int32, logit: Float)] = []
        best.reserveCapacity(count + 1)
        for i in 0..<logits.count {
            let l = logits[i]
            if best.count == count, let last = best.last, l <= last.logit { continue }
            var j = best.count
            best.append((Int32(i), l))
            while j > 0, best[j - 1].logit < l {
                best[j] = best[j - 1]
                j -= 1
            }
            best[j] = (Int32(i), l)
            if best.count > count { best.removeLast() }
        }
        return best.map { ($0.id, $0.logit - lse) }
    }

    /// The log-probability of one token.
    public static func of(_ id: Int32, in logits: UnsafeBufferPointer<Float>) -> Float {
        logits[Int(id)] - logSumExp(logits)
    }
}
