import CKernels
import Foundation

/// The host's memory read bandwidth: a decode step streams every weight of the model once per token, so this
/// divided by the bytes a token reads is the ceiling of generation speed (llama.cpp's and ours alike).
public enum MemoryBandwidth {
    /// Bytes per second read by `pool`'s threads from a buffer of `bytes` (much larger than the last-level cache),
    /// the best of `repetitions` passes after one warm-up pass (which also faults the pages in).
    public static func measure(pool: ThreadPool, bytes: Int = 1 << 30, repetitions: Int = 5) -> Double {
        let count = max(1 << 20, bytes / 4)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1, count: count)
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: pool.threadCount)
        defer { sums.deallocate() }
        var best = 0.0
        for pass in 0...repetitions {
            let start = ContinuousClock.now
            pool.run { t, n in
                // Contiguous slices of 64-float multiples, one per thread.
                let lo = count / 64 * t / n * 64, hi = t == n - 1 ? count : count / 64 * (t + 1) / n * 64
                sums[t] = ck_read_sum(buffer + lo, hi - lo)
            }
            let (s, atto) = (ContinuousClock.now - start).components
            let seconds = Double(s) + Double(atto) * 1e-18
            if pass > 0, seconds > 0 { best = max(best, Double(count * 4) / seconds) }
        }
        precondition(sums[0].isFinite)
        return best
    }
}
