#if canImport(Glibc)
import Glibc
#endif
import Kernels

extension LanguageModel {
    /// Scaled dot-product attention of every (row, head) pair against its own sequence's cache,
    /// causal, optionally limited to a sliding window; split over the thread pool by (row, head).
    func attend(_ rows: ArraySlice<BatchRow>, layer: Int, window: Int) {
        let c = configuration
        let b = buffers
        let headDim = c.headDim
        let valueDim = c.valueHeadDim
        let groupSize = c.headCount / c.kvHeadCount
        let scale = c.attentionScale
        let tasks = rows.count * c.headCount
        let firstRow = rows.startIndex
        pool.run { thread, threadCount in
            let scores = b.scores + thread * b.scoreCapacity
            var task = thread
            while task < tasks {
                let i = task / c.headCount
                let head = task % c.headCount
                let kvHead = head / groupSize
                let row = rows[firstRow + i]
                let keys = row.cache.keys(layer: layer) + kvHead * headDim
                let values = row.cache.values(layer: layer) + kvHead * valueDim
                let q = b.query + i * c.queryWidth + head * headDim
                let out = b.attention + i * c.headCount * valueDim + head * valueDim
                // A key at position j is visible when j ≤ position and, on sliding-window layers,
                // position − j < window (llama.cpp's standard SWA mask).
                let last = row.position
                let first = window > 0 ? max(0, last - window + 1) : 0
                var maxScore = -Float.infinity
                for j in first...last {
                    let s = Ops.dot(q, keys + j * c.keyWidth, count: headDim) * scale
                    scores[j - first] = s
                    maxScore = max(maxScore, s)
                }
                var sum: Float = 0
                for j in 0...(last - first) {
                    let e = expf(scores[j] - maxScore)
                    scores[j] = e
                    sum += e
                }
                out.initialize(repeating: 0, count: valueDim)
                let inv = 1 / sum
                for j in first...last {
                    Ops.axpy(scores[j - first] * inv, values + j * c.valueWidth, out, count: valueDim)
                }
                task += threadCount
            }
        }
    }
}
