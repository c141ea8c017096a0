import Engine
import GGUF
import Kernels

extension Benchmark {
    /// The memory-bandwidth ceiling of generation: a decode step reads every weight once, so no engine generates
    /// faster than the host's read bandwidth over the bytes one token reads.
    struct BandwidthCeiling {
        /// Read bandwidth with the benchmark's threads, bytes per second.
        let bytesPerSecond: Double
        /// Weight bytes one generated token reads: every tensor but the token embedding, of which it reads one row
        /// (unless it doubles as the output head); the KV cache is left out (small at tg128's lengths).
        let bytesPerToken: Int

        var tokensPerSecond: Double { bytesPerSecond / Double(max(1, bytesPerToken)) }
    }

    func bandwidthCeiling() -> BandwidthCeiling {
        let tensors = model.file.tensors
        let tied = !tensors.contains { $0.name == "output.weight" }
        let bytes = tensors.reduce(0) { total, t in
            t.name == "token_embd.weight" && !tied ? total + t.bytesPerRow : total + t.byteCount
        }
        let rate = MemoryBandwidth.measure(pool: ThreadPool(threadCount: model.threadCount), bytes: 512 << 20)
        return BandwidthCeiling(bytesPerSecond: rate, bytesPerToken: bytes)
    }
}
