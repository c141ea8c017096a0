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

    static func multiplyAll(_ ws: UnsafeBufferPointer<WeightMatrix>, x: UnsafePointer<Float>, count: Int, outputs: UnsafeBufferPointer<UnsafeMutablePointer<Float>>, pool: ThreadPool, scratch: MatMulScratch) {
        guard count > 0, !ws.isEmpty else { return }
        let columns = ws[0].columns
        var totalRows = 0
        for w in ws {
            precondition(w.columns == columns, "matrices sharing an input must have the same column count")
            totalRows += w.rows
        }
        let threads = pool.threadCount
        var rowBuffers: [UnsafeMutablePointer<Float>] = []
        for t in 0..<threads {
            rowBuffers.append(scratch.buffer(t, bytes: columns * 4).assumingMemoryBound(to: Float.self))
        }
        rowBuffers.withUnsafeBufferPointer { rb in
            pool.run { t, n in
                let per = (totalRows + n - 1) / n
                let start = t * per, end = min(totalRows, start + per)
                guard start < end else { return }
                let row = rb[t]
                var base = 0
                for (m, w) in ws.enumerated() {
                    let lo = max(start, base), hi = min(end, base + w.rows)
                    if lo < hi {
                        let o = outputs[m]
                        for r in (lo - base)..<(hi - base) {
                            Dequantize.row(w.type, from: w.row(r), count: columns, into: row)
                            for i in 0..<count {
                                o[i * w.rows + r] = Ops.dot(row, x + i * columns, count: columns)
                            }
                        }
                    }
                    base += w.rows
                }
            }
        }
    }
}
