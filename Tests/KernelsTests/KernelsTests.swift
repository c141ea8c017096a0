import Foundation
import GGUF
import Testing
@testable import Kernels

@Suite struct DequantizeTests {
    @Test(arguments: allTypes.map(\.rawValue))
    func matchesReference(raw: UInt32) {
        let type = TensorType(rawValue: raw)!
        var rng = SplitMix(seed: 42 &+ UInt64(type.rawValue))
        let count = 1024
        let data = randomData(type, count: count, rng: &rng)
        let expected = referenceDecode(type, data, count: count)
        var got = [Float](repeating: .nan, count: count)
        data.withUnsafeBytes { src in
            got.withUnsafeMutableBufferPointer { Dequantize.row(type, from: src.baseAddress!, count: count, into: $0.baseAddress!) }
        }
        for i in 0..<count {
            #expect(got[i] == expected[i], "\(typeName(type)) element \(i): \(got[i]) vs \(expected[i])")
            if got[i] != expected[i] { break }
        }
    }
}

/// Checks `MatMul.multiply` against dequantize + double-precision dot.
func checkMatMul(_ type: TensorType, rows: Int, columns: Int, count: Int, threads: Int, seed: UInt64 = 7) throws {
    var rng = SplitMix(seed: seed)
    let data = randomData(type, count: rows * columns, rng: &rng)
    let x = (0..<(count * columns)).map { _ in Float.random(in: -1...1, using: &rng) }
    var deq = [Float](repeating: 0, count: rows * columns)
    var out = [Float](repeating: .nan, count: rows * count)
    let pool = ThreadPool(threadCount: threads)
    let scratch = MatMulScratch()
    try data.withUnsafeBytes { src in
        let w = try WeightMatrix(type: type, rows: rows, columns: columns, data: src.baseAddress!)
        deq.withUnsafeMutableBufferPointer { Dequantize.row(type, from: src.baseAddress!, count: rows * columns, into: $0.baseAddress!) }
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                MatMul.multiply(w, input: xp.baseAddress!, count: count, output: op.baseAddress!, pool: pool, scratch: scratch)
            }
        }
    }
    var ref = [Double](repeating: 0, count: rows * count)
    for i in 0..<count {
        for r in 0..<rows {
            var s = 0.0
            for c in 0..<columns { s += Double(deq[r * columns + c]) * Double(x[i * columns + c]) }
            ref[i * rows + r] = s
        }
    }
    // Output scale: the larger of the actual output RMS and ‖w_r‖·rms(x) (the RMS expected for
    // uncorrelated data; keeps single-output cases whose dot is accidentally near 0 meaningful).
    let rmsX = (x.map { Double($0) * Double($0) }.reduce(0, +) / Double(x.count)).squareRoot()
    let rmsW = (deq.map { Double($0) * Double($0) }.reduce(0, +) / Double(rows)).squareRoot()
    let rms = max((ref.map { $0 * $0 }.reduce(0, +) / Double(ref.count)).squareRoot(), rmsW * rmsX)
    let tolerance = (type == .f32 || type == .f16 || type == .bf16 ? 1e-4 : 1e-2) * rms
    // 8-bit activation quantization: RMS error ≤ 1e-2 of the output RMS, max error ≤ 5e-2.
    var worst = 0.0, se = 0.0
    for k in 0..<ref.count { let e = abs(Double(out[k]) - ref[k]); worst = max(worst, e); se += e * e }
    let rmsError = (se / Double(ref.count)).squareRoot()
    #expect(rmsError <= tolerance && worst <= 5 * tolerance, "\(typeName(type)) \(rows)x\(columns) count \(count) threads \(threads): max error \(worst), rms error \(rmsError), rms \(rms)")
}

@Suite struct MatMulTests {
    @Test(arguments: allTypes.map(\.rawValue))
    func shapes(raw: UInt32) throws {
        let type = TensorType(rawValue: raw)!
        let bs = type.blockSize == 1 ? 32 : type.blockSize
        for (rows, blocks) in [(1, 1), (7, 2), (33, 3), (67, 4), (130, 2)] {
            for count in [1, 7] {
                for threads in [1, 2, 3] {
                    try checkMatMul(type, rows: rows, columns: blocks * bs * (bs == 32 ? 4 : 1), count: count, threads: threads)
                }
            }
        }
    }

    @Test(arguments: [TensorType.q8_0, .q4_K, .q6_K, .q4_1, .q5_0].map(\.rawValue))
    func largerBatch(raw: UInt32) throws {
        let type = TensorType(rawValue: raw)!
        try checkMatMul(type, rows: 96, columns: 512, count: 37, threads: 2, seed: 11)
    }

    /// The tiled batch kernels (count ≥ 8): counts and row counts that are not multiples of the tile,
    /// column counts whose block count is not a multiple of 8, and more than one column chunk.
    @Test(arguments: [TensorType.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K].map(\.rawValue))
    func tiledBatch(raw: UInt32) throws {
        let type = TensorType(rawValue: raw)!
        let k = type.blockSize == 256
        for (rows, columns, count) in [(5, k ? 256 : 96, 1), (7, k ? 512 : 160, 3), (13, k ? 256 : 640, 5),
                                       (6, k ? 768 : 2080, 17), (9, k ? 256 : 64, 512), (31, k ? 4352 : 4352, 9)] {
            for threads in [1, 2] {
                try checkMatMul(type, rows: rows, columns: columns, count: count, threads: threads, seed: UInt64(rows * count))
            }
        }
    }

    @Test func multiEqualsSingle() throws {
        var rng = SplitMix(seed: 99)
        let columns = 512
        let specs: [(TensorType, Int)] = [(.q4_K, 64), (.q8_0, 33), (.q6_K, 17), (.q5_0, 40)]
        let datas = specs.map { randomData($0.0, count: $0.1 * columns, rng: &rng) }
        let pool = ThreadPool(threadCount: 2)
        let scratch = MatMulScratch()
        for count in [1, 5] {
            let x = (0..<(count * columns)).map { _ in Float.random(in: -1...1, using: &rng) }
            var singles: [[Float]] = []
            var multis: [[Float]] = specs.map { [Float](repeating: .nan, count: $0.1 * count) }
            var ptrs: [UnsafeMutablePointer<Float>] = []
            var ws: [WeightMatrix] = []
            for (k, spec) in specs.enumerated() {
                let p = UnsafeMutableRawPointer.allocate(byteCount: datas[k].count, alignment: 64)
                p.copyMemory(from: datas[k], byteCount: datas[k].count)
                ws.append(try WeightMatrix(type: spec.0, rows: spec.1, columns: columns, data: p))
                ptrs.append(.allocate(capacity: spec.1 * count))
            }
            defer { for w in ws { w.data.deallocate() }; for p in ptrs { p.deallocate() } }
            for w in ws {
                var o = [Float](repeating: .nan, count: w.rows * count)
                o.withUnsafeMutableBufferPointer { MatMul.multiply(w, input: x, count: count, output: $0.baseAddress!, pool: pool, scratch: scratch) }
                singles.append(o)
            }
            MatMul.multiply(ws, input: x, count: count, outputs: ptrs, pool: pool, scratch: scratch)
            for k in 0..<ws.count { multis[k] = Array(UnsafeBufferPointer(start: ptrs[k], count: ws[k].rows * count)) }
            #expect(multis == singles)
        }
    }

    @Test func realModelTensors() throws {
        let path = modelPath("qwen2.5-coder-0.5b/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
        guard FileManager.default.fileExists(atPath: path) else { return }
        let file = try GGUFFile(path: path)
        let pool = ThreadPool(threadCount: 2)
        let scratch = MatMulScratch()
        var rng = SplitMix(seed: 5)
        for name in ["blk.0.ffn_down.weight", "blk.0.attn_q.weight", "blk.0.ffn_gate.weight", "blk.0.attn_v.weight", "output.weight", "token_embd.weight"] {
            guard let t = file.tensor(name) else { continue }
            let w = try WeightMatrix(type: t.type, rows: t.rowCount, columns: t.rowLength, data: file.data(of: t))
            let rows = min(w.rows, 2048)
            let sub = try WeightMatrix(type: w.type, rows: rows, columns: w.columns, data: w.data)
            for count in [1, 3] {
                let x = (0..<(count * w.columns)).map { _ in Float.random(in: -1...1, using: &rng) }
                var out = [Float](repeating: .nan, count: rows * count)
                out.withUnsafeMutableBufferPointer { MatMul.multiply(sub, input: x, count: count, output: $0.baseAddress!, pool: pool, scratch: scratch) }
                var row = [Float](repeating: 0, count: w.columns)
                var worst = 0.0, ss = 0.0
                var refs = [Double](repeating: 0, count: rows * count)
                for r in 0..<rows {
                    row.withUnsafeMutableBufferPointer { Dequantize.row(w.type, from: w.row(r), count: w.columns, into: $0.baseAddress!) }
                    for i in 0..<count {
                        var s = 0.0
                        for c in 0..<w.columns { s += Double(row[c]) * Double(x[i * w.columns + c]) }
                        refs[i * rows + r] = s; ss += s * s
                    }
                }
                var se = 0.0
                for k in 0..<refs.count { let e = abs(refs[k] - Double(out[k])); worst = max(worst, e); se += e * e }
                let rms = (ss / Double(refs.count)).squareRoot()
                let rmsError = (se / Double(refs.count)).squareRoot()
                #expect(rmsError <= 1e-2 * rms && worst <= 5e-2 * rms, "\(name) (\(typeName(w.type))) count \(count): max error \(worst), rms \(rms)")
                print("real tensor \(name) \(typeName(w.type)) \(w.rows)x\(w.columns) count \(count): max err/rms = \(worst / rms), rms err/rms = \(rmsError / rms)")
            }
        }
    }
}

@Suite struct PoolTests {
    @Test func runsEveryIndexOnce() {
        for n in [1, 2, 4] {
            let pool = ThreadPool(threadCount: n)
            for _ in 0..<1000 {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: n)
                hits.initialize(repeating: 0, count: n)
                pool.run { i, c in precondition(c == n); hits[i] += 1 }
                for i in 0..<n { #expect(hits[i] == 1) }
                hits.deallocate()
            }
        }
    }

    @Test func wakesAfterSleeping() {
        let pool = ThreadPool(threadCount: 2)
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: 2)
        pool.run { i, _ in hits[i] += 1 }
        usleep(30_000)
        pool.run { i, _ in hits[i] += 1 }
        #expect(hits[0] == 2 && hits[1] == 2)
    }
}

@Suite struct OpsTests {
    func random(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix(seed: seed)
        return (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
    }

    @Test func ropeBothModes() {
        for neox in [false, true] {
            for (headDim, dims) in [(64, 64), (128, 128), (64, 32)] {
                let heads = 3, position = 37
                let base: Float = 10000
                var x = random(heads * headDim, seed: 3)
                var expected = x
                for h in 0..<heads {
                    let thetaScale = powf(base, -2 / Float(dims))
                    var theta = Float(position)
                    for i in 0..<(dims / 2) {
                        let (a, b) = neox ? (h * headDim + i, h * headDim + i + dims / 2) : (h * headDim + 2 * i, h * headDim + 2 * i + 1)
                        let c = cosf(theta), s = sinf(theta)
                        expected[a] = x[a] * c - x[b] * s
                        expected[b] = x[a] * s + x[b] * c
                        // Closed-form angle agrees with the iterated one to float precision.
                        let exact = Double(position) * pow(Double(base), -2 * Double(i) / Double(dims))
                        #expect(abs(Double(theta) - exact) <= 1e-5 * max(1, exact))
                        theta *= thetaScale
                    }
                }
                x.withUnsafeMutableBufferPointer { Ops.rope($0.baseAddress!, headCount: heads, headDim: headDim, dimensions: dims, position: position, base: base, neox: neox) }
                for i in 0..<x.count { #expect(abs(x[i] - expected[i]) <= 1e-6, "neox \(neox) \(i)") }
            }
        }
    }

    @Test func rmsNormSoftmaxActivations() {
        let n = 203
        let x = random(n, seed: 1), w = random(n, seed: 2)
        var out = [Float](repeating: 0, count: n)
        Ops.rmsNorm(x, weight: w, count: n, epsilon: 1e-6, output: &out)
        let ms = x.map { Double($0) * Double($0) }.reduce(0, +) / Double(n)
        for i in 0..<n { #expect(abs(Double(out[i]) - Double(x[i]) / (ms + 1e-6).squareRoot() * Double(w[i])) < 1e-5) }

        var s = x
        Ops.softmax(&s, count: n)
        let mx = x.max()!
        let es = x.map { exp(Double($0 - mx)) }, tot = es.reduce(0, +)
        for i in 0..<n { #expect(abs(Double(s[i]) - es[i] / tot) < 1e-6) }

        var g = [Float](repeating: 0, count: n), si = g, sw = g, gg = g
        Ops.gelu(x, count: n, output: &g)
        Ops.silu(x, count: n, output: &si)
        Ops.swiglu(gate: x, up: w, count: n, output: &sw)
        Ops.geglu(gate: x, up: w, count: n, output: &gg)
        for i in 0..<n {
            let v = Double(x[i])
            let ge = 0.5 * v * (1 + tanh(0.7978845608028654 * v * (1 + 0.044715 * v * v)))
            let su = v / (1 + exp(-v))
            #expect(abs(Double(g[i]) - ge) < 1e-5)
            #expect(abs(Double(si[i]) - su) < 1e-5)
            #expect(abs(Double(sw[i]) - su * Double(w[i])) < 1e-5)
            #expect(abs(Double(gg[i]) - ge * Double(w[i])) < 1e-5)
        }
        #expect(abs(Ops.dot(x, w, count: n) - zip(x, w).map { $0 * $1 }.reduce(0, +)) < 1e-4)
    }

    /// Vectorised activations over a wide input range (tails: counts not multiples of 8; in place).
    @Test func activationsWideRange() {
        for n in [1, 7, 8, 29, 1000] {
            var x = (0..<n).map { Float($0) / Float(max(n - 1, 1)) * 40 - 20 }
            if n > 3 { x[0] = -100; x[1] = 100; x[2] = 0 }
            let up = (0..<n).map { Float($0 % 7) - 3.5 }
            var g = x, si = x, sw = x, gg = x
            g.withUnsafeMutableBufferPointer { Ops.gelu($0.baseAddress!, count: n, output: $0.baseAddress!) }
            si.withUnsafeMutableBufferPointer { Ops.silu($0.baseAddress!, count: n, output: $0.baseAddress!) }
            sw.withUnsafeMutableBufferPointer { Ops.swiglu(gate: $0.baseAddress!, up: up, count: n, output: $0.baseAddress!) }
            gg.withUnsafeMutableBufferPointer { Ops.geglu(gate: $0.baseAddress!, up: up, count: n, output: $0.baseAddress!) }
            for i in 0..<n {
                let v = Double(x[i])
                let ge = 0.5 * v * (1 + tanh(0.7978845608028654 * v * (1 + 0.044715 * v * v)))
                let su = v / (1 + exp(-v))
                let tol = 2e-6 * max(1, abs(v))
                #expect(abs(Double(g[i]) - ge) <= tol, "gelu(\(v)) = \(g[i]) vs \(ge)")
                #expect(abs(Double(si[i]) - su) <= tol, "silu(\(v)) = \(si[i]) vs \(su)")
                #expect(abs(Double(sw[i]) - su * Double(up[i])) <= tol * 4)
                #expect(abs(Double(gg[i]) - ge * Double(up[i])) <= tol * 4)
            }
        }
    }
}
