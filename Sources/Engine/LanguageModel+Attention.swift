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
                let span = last - first + 1
                for j in 0..<span {
                    scores[j] = Ops.dot(q, keys + (first + j) * c.keyWidth, count: headDim) * scale
                }
                Ops.softmax(scores, count: span)
                Ops.weightedSum(weights: scores, count: span, values: values + first * c.valueWidth,
                                stride: c.valueWidth, dim: valueDim, output: out)
                task += threadCount
            }
        }
    }
}
