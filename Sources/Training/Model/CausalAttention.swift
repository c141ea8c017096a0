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

    /// Per-thread buffers: four `span × span` score matrices and two transposed K/V panels.
    final class Scratch {
        private(set) var base: UnsafeMutablePointer<Float>
        private(set) var perThread = 0
        private(set) var span = 0
        private(set) var panel = 0
        init() { base = .allocate(capacity: 1) }
        deinit { base.deallocate() }
        func reserve(threads: Int, span: Int, width: Int) {
            guard span > self.span || width * span > panel else { return }
            base.deallocate()
            self.span = max(span, self.span)
            panel = max(width * self.span, panel)
            perThread = 4 * self.span * self.span + 2 * panel
            base = .allocate(capacity: threads * perThread)
        }
        /// Matrix `i` (0…3) of thread `t`, `span × span` floats.
        func matrix(_ t: Int, _ i: Int) -> UnsafeMutablePointer<Float> { base + t * perThread + i * span * span }
        /// Panel `i` (0, 1) of thread `t`.
        func panel(_ t: Int, _ i: Int) -> UnsafeMutablePointer<Float> { base + t * perThread + 4 * span * span + i * panel }
    }

    /// The visible keys of row `t` (absolute rows): from its segment start (or the window's edge) to itself.
    @inline(__always) static func span(_ t: Int, segmentStart: Int, window: Int) -> Range<Int> {
        let first = window > 0 ? max(segmentStart, t - window + 1) : segmentStart
        return first..<(t + 1)
    }

    /// `dst[c][j] = src[j·stride + c]` for j < rows, c < width: a head's keys or values as columns.
    static func transpose(_ src: UnsafePointer<Float>, stride: Int, rows: Int, width: Int, into dst: UnsafeMutablePointer<Float>) {
        for j in 0..<rows {
            let row = src + j * stride
            for c in 0..<width { dst[c * rows + j] = row[c] }
        }
    }

    /// `dst[j][t] = src[t][j]` for a square `n × n` matrix.
    static func transposeSquare(_ src: UnsafePointer<Float>, _ n: Int, into dst: UnsafeMutablePointer<Float>) {
        var t0 = 0
        while t0 < n {
            var j0 = 0
            while j0 < n {
                for t in t0..<min(n, t0 + 16) { for j in j0..<min(n, j0 + 16) { dst[j * n + t] = src[t * n + j] } }
                j0 += 16
            }
            t0 += 16
        }
    }

    /// o[t, h] = Σ_j softmax_j(q[t,h]·k[j,g]·scale) v[j,g]; lse[t, h] = log Σ_j exp(q·k·scale). Per (segment, KV head):
    /// S = Q·Kᵀ and O = P·V as register-tiled products that skip the masked upper triangle.
    static func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                        o: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                        layout: BatchLayout, shape: Shape, pool: ThreadPool, scratch: Scratch) {
        let tasks = layout.segments.count * shape.kvHeads
        let longest = layout.segments.map(\.count).max() ?? 0
        scratch.reserve(threads: pool.threadCount, span: longest, width: max(shape.headDim, shape.valueDim))
        pool.run { thread, threads in
            let scores = scratch.matrix(thread, 0), keysT = scratch.panel(thread, 0)
            var task = thread
            while task < tasks {
                let segment = layout.segments[task / shape.kvHeads], g = task % shape.kvHeads
                let n = segment.count, s0 = segment.start
                transpose(k + s0 * shape.keyWidth + g * shape.headDim, stride: shape.keyWidth, rows: n, width: shape.headDim, into: keysT)
                for h in (g * shape.groupSize)..<((g + 1) * shape.groupSize) {
                    ck_sgemm(Int32(n), Int32(n), Int32(shape.headDim), q + s0 * shape.queryWidth + h * shape.headDim, shape.queryWidth,
                             keysT, n, scores, n, 0, 1, 0)
                    for t in 0..<n {
                        let row = scores + t * n
                        let visible = span(s0 + t, segmentStart: s0, window: shape.window)
                        let first = visible.lowerBound - s0
                        var m = -Float.infinity
                        for j in first...t { row[j] *= shape.scale; m = max(m, row[j]) }
                        let sum = ck_exp_shifted_sum(row + first, Int32(t - first + 1), m)
                        lse[(s0 + t) * shape.heads + h] = m + logf(sum)
                        Ops.scale(row + first, by: 1 / sum, count: t - first + 1)
                        if first > 0 { row.update(repeating: 0, count: first) }
                        if t + 1 < n { (row + t + 1).update(repeating: 0, count: min(n, t + 6) - t - 1) }
                    }
                    ck_sgemm(Int32(n), Int32(shape.valueDim), Int32(n), scores, n, v + s0 * shape.valueWidth + g * shape.valueDim,
                             shape.valueWidth, o + s0 * shape.outputWidth + h * shape.valueDim, shape.outputWidth, 0, 2, 0)
                }
                task += threads
            }
        }
    }

    /// From dO writes dQ (every row) and dK, dV (overwritten) with the probabilities recomputed from `lse`:
    /// dS = P ∘ (dO·Vᵀ − rowsum(dO ∘ O)), dQ = dS·K·scale, dK = dSᵀ·Q·scale, dV = Pᵀ·dO — each a register-tiled
    /// product over the segment that skips the masked triangle.
    static func backward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                         o: UnsafePointer<Float>, lse: UnsafePointer<Float>, dO: UnsafePointer<Float>,
                         dQ: UnsafeMutablePointer<Float>, dQStride: Int,
                         dK: UnsafeMutablePointer<Float>, dKStride: Int,
                         dV: UnsafeMutablePointer<Float>, dVStride: Int,
                         layout: BatchLayout, shape: Shape, pool: ThreadPool, scratch: Scratch) {
        let tasks = layout.segments.count * shape.kvHeads
        let longest = layout.segments.map(\.count).max() ?? 0
        scratch.reserve(threads: pool.threadCount, span: longest, width: max(shape.headDim, shape.valueDim))
        pool.run { thread, threads in
            let probabilities = scratch.matrix(thread, 0), dS = scratch.matrix(thread, 1), transposed = scratch.matrix(thread, 2)
            let keysT = scratch.panel(thread, 0), valuesT = scratch.panel(thread, 1)
            var task = thread
            while task < tasks {
                let segment = layout.segments[task / shape.kvHeads], g = task % shape.kvHeads
                let n = segment.count, s0 = segment.start
                let kg = k + s0 * shape.keyWidth + g * shape.headDim, vg = v + s0 * shape.valueWidth + g * shape.valueDim
                transpose(kg, stride: shape.keyWidth, rows: n, width: shape.headDim, into: keysT)
                transpose(vg, stride: shape.valueWidth, rows: n, width: shape.valueDim, into: valuesT)
                let dKg = dK + s0 * dKStride + g * shape.headDim, dVg = dV + s0 * dVStride + g * shape.valueDim
                for h in (g * shape.groupSize)..<((g + 1) * shape.groupSize) {
                    let qh = q + s0 * shape.queryWidth + h * shape.headDim
                    let dOh = dO + s0 * shape.outputWidth + h * shape.valueDim
                    let oh = o + s0 * shape.outputWidth + h * shape.valueDim
                    ck_sgemm(Int32(n), Int32(n), Int32(shape.headDim), qh, shape.queryWidth, keysT, n, probabilities, n, 0, 1, 0)
                    ck_sgemm(Int32(n), Int32(n), Int32(shape.valueDim), dOh, shape.outputWidth, valuesT, n, dS, n, 0, 1, 0)
                    for t in 0..<n {
                        let p = probabilities + t * n, ds = dS + t * n
                        let visible = span(s0 + t, segmentStart: s0, window: shape.window)
                        let first = visible.lowerBound - s0
                        let l = lse[(s0 + t) * shape.heads + h]
                        let D = Ops.dot(dOh + t * shape.outputWidth, oh + t * shape.outputWidth, count: shape.valueDim)
                        ck_attention_softmax_backward(p + first, ds + first, Int32(t - first + 1), shape.scale, l, D)
                        if first > 0 {
                            p.update(repeating: 0, count: first)
                            ds.update(repeating: 0, count: first)
                        }
                        if t + 1 < n {
                            (p + t + 1).update(repeating: 0, count: n - t - 1)
                            (ds + t + 1).update(repeating: 0, count: n - t - 1)
                        }
                    }
                    let first = h == g * shape.groupSize
                    ck_sgemm(Int32(n), Int32(shape.headDim), Int32(n), dS, n, kg, shape.keyWidth,
                             dQ + s0 * dQStride + h * shape.headDim, dQStride, 0, 2, 0)
                    transposeSquare(dS, n, into: transposed)
                    ck_sgemm(Int32(n), Int32(shape.headDim), Int32(n), transposed, n, qh, shape.queryWidth, dKg, dKStride, first ? 0 : 1, 3, 0)
                    transposeSquare(probabilities, n, into: transposed)
                    ck_sgemm(Int32(n), Int32(shape.valueDim), Int32(n), transposed, n, dOh, shape.outputWidth, dVg, dVStride, first ? 0 : 1, 3, 0)
                }
                task += threads
            }
        }
    }
}
