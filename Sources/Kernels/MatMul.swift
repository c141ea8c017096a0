import CKernels
import GGUF

/// Reusable buffers for `MatMul` (quantized activations, per-thread rows). One per model instance;
/// grows on demand and never shrinks, so a token loop allocates nothing after warm-up.
/// Not thread-safe: use one scratch per concurrent caller.
public final class MatMulScratch: @unchecked Sendable {
    final class Buffer {
        var pointer: UnsafeMutableRawPointer?
        var capacity = 0
        /// A 64-byte aligned region of at least `bytes` bytes (contents undefined after growth).
        @inline(__always) func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
            if bytes > capacity {
                pointer?.deallocate()
                capacity = max(bytes, capacity * 3 / 2, 4096)
                pointer = .allocate(byteCount: capacity, alignment: 64)
            }
            return pointer!
        }
        deinit { pointer?.deallocate() }
    }
    var buffers: [Buffer] = []
    /// Sum each output row in the same order whatever the number of activation rows below 8 (`ck_gemm_uniform`), so
    /// that a row computed in a small batch equals the row computed alone. Speculative decoding sets it on its target.
    public var uniformRowSums = false

    public init() {}

    @inline(__always) func buffer(_ index: Int, bytes: Int) -> UnsafeMutableRawPointer {
        while buffers.count <= index { buffers.append(Buffer()) }
        return buffers[index].reserve(bytes)
    }
}

/// Matrix products of quantized weights with float activations.
public enum MatMul {
    /// out[i][r] = Σ_c W[r][c] · x[i][c] for i in 0..<count. `x`: count rows of `w.columns` floats
    /// (contiguous), `out`: count rows of `w.rows` floats. `out` must not alias `x`.
    public static func multiply(_ w: WeightMatrix, input x: UnsafePointer<Float>, count: Int, output out: UnsafeMutablePointer<Float>, pool: ThreadPool, scratch: MatMulScratch) {
        withUnsafeTemporaryAllocation(of: WeightMatrix.self, capacity: 1) { ws in
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>.self, capacity: 1) { os in
                ws.initializeElement(at: 0, to: w)
                os.initializeElement(at: 0, to: out)
                multiplyAll(UnsafeBufferPointer(ws), x: x, count: count, outputs: UnsafeBufferPointer(os), pool: pool, scratch: scratch)
            }
        }
    }

    /// Several matrices that share one input (Q/K/V, gate/up): outputs[m] = ws[m] · x as in
    /// `multiply(_:input:count:output:pool:scratch:)`; all matrices must have the same `columns`.
    /// The input is prepared once and all products run in one pool dispatch.
    public static func multiply(_ ws: [WeightMatrix], input x: UnsafePointer<Float>, count: Int, outputs: [UnsafeMutablePointer<Float>], pool: ThreadPool, scratch: MatMulScratch) {
        precondition(ws.count == outputs.count, "one output per matrix")
        ws.withUnsafeBufferPointer { wb in
            outputs.withUnsafeBufferPointer { ob in
                multiplyAll(wb, x: x, count: count, outputs: ob, pool: pool, scratch: scratch)
            }
        }
    }

    /// ggml type number when the C integer kernels handle `type`.
    @inline(__always) static func integerKernelType(_ type: TensorType) -> Int32? {
        switch type {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K: return Int32(type.rawValue)
        default: return nil
        }
    }

    static func multiplyAll(_ ws: UnsafeBufferPointer<WeightMatrix>, x: UnsafePointer<Float>, count: Int, outputs: UnsafeBufferPointer<UnsafeMutablePointer<Float>>, pool: ThreadPool, scratch: MatMulScratch) {
        guard count > 0, !ws.isEmpty else { return }
        let columns = ws[0].columns
        var totalRows = 0
        var needQ8 = false, needQ8K = false, needFloat = false
        for w in ws {
            precondition(w.columns == columns, "matrices sharing an input must have the same column count")
            totalRows += w.rows
            if let t = integerKernelType(w.type) {
                if ck_uses_q8_K(t) != 0 { needQ8K = true } else { needQ8 = true }
            } else {
                needFloat = true
            }
        }
        let threads = pool.threadCount
        // Per-thread float row buffers (only for float weights that need conversion: BF16).
        if needFloat {
            for t in 0..<threads { _ = scratch.buffer(t, bytes: columns * 4) }
        }
        let strideQ8 = ck_act_stride_q8_32(Int32(columns)), strideQ8K = ck_act_stride_q8_K(Int32(columns))
        let actQ8 = needQ8 ? UnsafeRawPointer(scratch.buffer(threads, bytes: strideQ8 * count)) : nil
        let actQ8K = needQ8K ? UnsafeRawPointer(scratch.buffer(threads + 1, bytes: strideQ8K * count)) : nil
        let rowBuffers = scratch.buffers
        // 1. Quantize the activations once per needed format.
        if needQ8 || needQ8K {
            let quantize = { (lo: Int, hi: Int) in
                for i in lo..<hi {
                    if let a = actQ8 { ck_quantize_q8_32(x + i * columns, Int32(columns), UnsafeMutableRawPointer(mutating: a) + i * strideQ8) }
                    if let a = actQ8K { ck_quantize_q8_K(x + i * columns, Int32(columns), UnsafeMutableRawPointer(mutating: a) + i * strideQ8K) }
                }
            }
            if count < 4 || threads == 1 {
                quantize(0, count)
            } else {
                pool.run { t, n in quantize(count * t / n, count * (t + 1) / n) }
            }
        }
        // 2. All products in one dispatch, split over the concatenated rows (multiples of 16 rows = 64 bytes of output).
        pool.run { t, n in
            let units = (totalRows + 15) / 16
            let start = min(totalRows, units * t / n * 16), end = min(totalRows, units * (t + 1) / n * 16)
            guard start < end else { return }
            var base = 0
            for (m, w) in ws.enumerated() {
                let lo = max(start, base), hi = min(end, base + w.rows)
                if lo < hi {
                    let o = outputs[m]
                    let r0 = lo - base, nr = hi - lo
                    if let kt = integerKernelType(w.type) {
                        let k8 = ck_uses_q8_K(kt) != 0
                        _ = (scratch.uniformRowSums ? ck_gemm_uniform : ck_gemm)(kt, w.row(r0), w.bytesPerRow, Int32(nr), k8 ? actQ8K : actQ8, k8 ? strideQ8K : strideQ8,
                                    Int32(count), Int32(columns), o + r0, w.rows)
                    } else {
                        floatRows(w, r0..<(r0 + nr), x: x, count: count, out: o, rowBuffer: rowBuffers[t].pointer)
                    }
                }
                base += w.rows
            }
        }
    }

    /// F32/F16/BF16 weights: float dot products.
    static func floatRows(_ w: WeightMatrix, _ rows: Range<Int>, x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>, rowBuffer: UnsafeMutableRawPointer?) {
        let columns = w.columns
        if w.type == .f32, columns % 8 == 0, !rows.isEmpty {
            let base = w.row(rows.lowerBound).assumingMemoryBound(to: Float.self)
            ck_gemm_f32(base, Int32(rows.count), x, Int32(count), Int32(columns), out + rows.lowerBound, w.rows)
            return
        }
        if w.type == .f16, columns % 8 == 0, !rows.isEmpty {
            let base = w.row(rows.lowerBound).assumingMemoryBound(to: UInt16.self)
            ck_gemm_f16(base, Int32(rows.count), x, Int32(count), Int32(columns), out + rows.lowerBound, w.rows)
            return
        }
        for r in rows {
            switch w.type {
            case .f32:
                let wr = w.row(r).assumingMemoryBound(to: Float.self)
                for i in 0..<count { out[i * w.rows + r] = Ops.dot(wr, x + i * columns, count: columns) }
            case .f16:
                let wr = w.row(r).assumingMemoryBound(to: UInt16.self)
                for i in 0..<count { out[i * w.rows + r] = ck_dot_f16(wr, x + i * columns, Int32(columns)) }
            default:
                let row = rowBuffer!.assumingMemoryBound(to: Float.self)
                Dequantize.row(w.type, from: w.row(r), count: columns, into: row)
                for i in 0..<count { out[i * w.rows + r] = Ops.dot(row, x + i * columns, count: columns) }
            }
        }
    }
}
