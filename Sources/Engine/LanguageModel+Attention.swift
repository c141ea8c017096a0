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
        let firstRow = rows.startIndex
        // Prompt chunks: one task per (row, KV head), so a group's query heads share each K/V row load.
        // Decode (few rows): one task per (row, head), so every thread has work.
        if rows.count >= 2 * pool.threadCount {
            attendGrouped(rows, layer: layer, window: window)
            return
        }
        let tasks = rows.count * c.headCount
        pool.run { thread, threadCount in
            let scores = b.scores + thread * b.scoreCapacity * groupSize
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

extension LanguageModel {
    /// Attention with one task per (row, KV head): scores of all heads of the group per key row,
    /// then their weighted sums over the value rows together.
    private func attendGrouped(_ rows: ArraySlice<BatchRow>, layer: Int, window: Int) {
        let c = configuration
        let b = buffers
        let headDim = c.headDim
        let valueDim = c.valueHeadDim
        let groupSize = c.headCount / c.kvHeadCount
        let scale = c.attentionScale
        let firstRow = rows.startIndex
        let tasks = rows.count * c.kvHeadCount
        pool.run { thread, threadCount in
            let scores = b.scores + thread * b.scoreCapacity * groupSize
            var task = thread
            while task < tasks {
                let i = task / c.kvHeadCount
                let kvHead = task % c.kvHeadCount
                let row = rows[firstRow + i]
                let keys = row.cache.keys(layer: layer) + kvHead * headDim
                let values = row.cache.values(layer: layer) + kvHead * valueDim
                let queries = b.query + i * c.queryWidth + kvHead * groupSize * headDim
                let last = row.position
                let first = window > 0 ? max(0, last - window + 1) : 0
                let span = last - first + 1
                for j in 0..<span {
                    let key = keys + (first + j) * c.keyWidth
                    for g in 0..<groupSize {
                        scores[g * span + j] = Ops.dot(queries + g * headDim, key, count: headDim) * scale
                    }
                }
                for g in 0..<groupSize { Ops.softmax(scores + g * span, count: span) }
                Ops.weightedSums(weights: scores, weightStride: span, groups: groupSize, count: span,
                                 values: values + first * c.valueWidth, stride: c.valueWidth, dim: valueDim,
                                 outputs: b.attention + i * c.headCount * valueDim + kvHead * groupSize * valueDim,
                                 outputStride: valueDim)
                task += threadCount
            }
        }
    }
}
