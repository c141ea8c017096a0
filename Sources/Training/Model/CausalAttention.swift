import CKernels
import Foundation
import Kernels

/// Causal multi-head attention over the rows of a training micro-batch, forward and backward, with
/// grouped KV heads, per-segment masking (packed examples never see each other) and sliding windows.
///
/// One task per (segment, KV head): the task owns its rows of every output, including the K and V
/// gradients that the group's query heads share, so no two threads write the same memory. The
/// backward pass recomputes the attention probabilities from the saved log-sum-exp instead of
/// storing them (`p = exp(q·k·scale − lse)`).
enum CausalAttention {
    struct Shape {
        let heads: Int
        let kvHeads: Int
        let headDim: Int
        let valueDim: Int
        let scale: Float
        /// Keys at most `window − 1` positions back are visible (0 = no limit).
        let window: Int

        var queryWidth: Int { heads * headDim }
        var keyWidth: Int { kvHeads * headDim }
        var valueWidth: Int { kvHeads * valueDim }
        var outputWidth: Int { heads * valueDim }
        var groupSize: Int { heads / kvHeads }
    }

    /// Per-thread score buffers (two rows of the longest segment for each thread).
    final class Scratch {
        private(set) var base: UnsafeMutablePointer<Float>
        private(set) var perThread: Int
        init() { perThread = 0; base = .allocate(capacity: 1) }
        deinit { base.deallocate() }
        func reserve(threads: Int, span: Int) {
            guard 2 * span > perThread else { return }
            base.deallocate()
            perThread = 2 * span
            base = .allocate(capacity: threads * perThread)
        }
        func buffer(_ thread: Int) -> UnsafeMutablePointer<Float> { base + thread * perThread }
    }

    /// The visible keys of row `t` (absolute rows): from its segment start (or the window's edge) to itself.
    @inline(__always) static func span(_ t: Int, segmentStart: Int, window: Int) -> Range<Int> {
        let first = window > 0 ? max(segmentStart, t - window + 1) : segmentStart
        return first..<(t + 1)
    }

    /// o[t, h] = Σ_j softmax_j(q[t,h]·k[j,g]·scale) v[j,g]; lse[t, h] = log Σ_j exp(q·k·scale).
    static func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                        o: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                        layout: BatchLayout, shape: Shape, pool: ThreadPool, scratch: Scratch) {
        let tasks = layout.segments.count * shape.kvHeads
        let longest = layout.segments.map(\.count).max() ?? 0
        scratch.reserve(threads: pool.threadCount, span: longest)
        pool.run { thread, threads in
            let scores = scratch.buffer(thread)
            var task = thread
            while task < tasks {
                let segment = layout.segments[task / shape.kvHeads], g = task % shape.kvHeads
                for t in segment.start..<(segment.start + segment.count) {
                    let visible = span(t, segmentStart: segment.start, window: shape.window)
                    for h in (g * shape.groupSize)..<((g + 1) * shape.groupSize) {
                        let qt = q + t * shape.queryWidth + h * shape.headDim
                        for (i, j) in visible.enumerated() {
                            scores[i] = Ops.dot(qt, k + j * shape.keyWidth + g * shape.headDim, count: shape.headDim) * shape.scale
                        }
                        let n = visible.count
                        var m = -Float.infinity
                        for i in 0..<n { m = max(m, scores[i]) }
                        let sum = ck_exp_shifted_sum(scores, Int32(n), m)
                        lse[t * shape.heads + h] = m + logf(sum)
                        Ops.scale(scores, by: 1 / sum, count: n)
                        Ops.weightedSum(weights: scores, count: n, values: v + visible.lowerBound * shape.valueWidth + g * shape.valueDim,
                                        stride: shape.valueWidth, dim: shape.valueDim,
                                        output: o + t * shape.outputWidth + h * shape.valueDim)
                    }
                }
                task += threads
            }
        }
    }

    /// From dO writes dQ (every row) and dK, dV (overwritten) with the probabilities recomputed from `lse`:
    /// dS = P ∘ (dO·Vᵀ − rowsum(dO ∘ O)), dQ = dS·K·scale, dK = dSᵀ·Q·scale, dV = Pᵀ·dO.
    static func backward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                         o: UnsafePointer<Float>, lse: UnsafePointer<Float>, dO: UnsafePointer<Float>,
                         dQ: UnsafeMutablePointer<Float>, dQStride: Int,
                         dK: UnsafeMutablePointer<Float>, dKStride: Int,
                         dV: UnsafeMutablePointer<Float>, dVStride: Int,
                         layout: BatchLayout, shape: Shape, pool: ThreadPool, scratch: Scratch) {
        let tasks = layout.segments.count * shape.kvHeads
        let longest = layout.segments.map(\.count).max() ?? 0
        scratch.reserve(threads: pool.threadCount, span: longest)
        pool.run { thread, threads in
            let probabilities = scratch.buffer(thread), dS = probabilities + scratch.perThread / 2
            var task = thread
            while task < tasks {
                let segment = layout.segments[task / shape.kvHeads], g = task % shape.kvHeads
                let rows = segment.start..<(segment.start + segment.count)
                for j in rows {
                    (dK + j * dKStride + g * shape.headDim).update(repeating: 0, count: shape.headDim)
                    (dV + j * dVStride + g * shape.valueDim).update(repeating: 0, count: shape.valueDim)
                }
                for t in rows {
                    let visible = span(t, segmentStart: segment.start, window: shape.window)
                    for h in (g * shape.groupSize)..<((g + 1) * shape.groupSize) {
                        let qt = q + t * shape.queryWidth + h * shape.headDim
                        let dOt = dO + t * shape.outputWidth + h * shape.valueDim
                        let l = lse[t * shape.heads + h]
                        let D = Ops.dot(dOt, o + t * shape.outputWidth + h * shape.valueDim, count: shape.valueDim)
                        for (i, j) in visible.enumerated() {
                            let score = Ops.dot(qt, k + j * shape.keyWidth + g * shape.headDim, count: shape.headDim) * shape.scale
                            let p = expf(score - l)
                            probabilities[i] = p
                            let dP = Ops.dot(dOt, v + j * shape.valueWidth + g * shape.valueDim, count: shape.valueDim)
                            dS[i] = p * (dP - D) * shape.scale
                        }
                        let dQt = dQ + t * dQStride + h * shape.headDim
                        dQt.update(repeating: 0, count: shape.headDim)
                        for (i, j) in visible.enumerated() {
                            Ops.axpy(dS[i], k + j * shape.keyWidth + g * shape.headDim, dQt, count: shape.headDim)
                            Ops.axpy(dS[i], qt, dK + j * dKStride + g * shape.headDim, count: shape.headDim)
                            Ops.axpy(probabilities[i], dOt, dV + j * dVStride + g * shape.valueDim, count: shape.valueDim)
                        }
                    }
                }
                task += threads
            }
        }
    }
}
