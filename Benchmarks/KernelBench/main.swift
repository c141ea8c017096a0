// KernelBench: throughput of the matrix kernels at realistic shapes.
// Usage: KernelBench [quick] | KernelBench pp [filter] | KernelBench rows [1t] | KernelBench train [filter] [1t|2t]
//        | KernelBench bandwidth (memory read bandwidth, 1 and 2 threads)
//   pp: count-512 shapes only, filter e.g. "Q5_0 2048x640"; train: the LoRA trainer's shapes.
//   pp and train time the AVX2 and AVX-512 VNNI kernels alternately in one run (medians; GROUPQWEN_KERNELS
//   does not apply there); the other modes use the path chosen at start-up.
import CKernels
import GGUF
import Kernels
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

struct Rng { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) } }

/// Random valid blocks (small f16 scales at the format's scale offsets).
func makeWeights(_ type: TensorType, rows: Int, columns: Int) -> UnsafeMutableRawPointer {
    let bytes = type.byteCount(elements: rows * columns)!
    let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    var rng = Rng(s: 1)
    let words = p.bindMemory(to: UInt64.self, capacity: bytes / 8)
    for i in 0..<(bytes / 8) { words[i] = rng.next() }
    let bpb = type.bytesPerBlock!, blocks = bytes / bpb
    let small = Float16(0.01).bitPattern
    func set(_ o: Int) { p.storeBytes(of: small, toByteOffset: o, as: UInt16.self) }
    for b in 0..<blocks {
        let o = b * bpb
        switch type {
        case .f16: set(o)
        case .q4_0, .q5_0, .q8_0, .q4_K, .q5_K: set(o)
        case .q4_1, .q5_1: set(o); set(o + 2)
        case .q6_K: set(o + 208)
        default: break
        }
        if type == .q4_K || type == .q5_K { set(o + 2) }
    }
    return p
}

let quick = CommandLine.arguments.contains("quick")
let pools = [1: ThreadPool(threadCount: 1), 2: ThreadPool(threadCount: 2)]
let scratch = MatMulScratch()

func bench(_ type: TensorType, rows: Int, columns: Int, count: Int, threads: Int) -> (seconds: Double, gbs: Double, gflops: Double) {
    let data = makeWeights(type, rows: rows, columns: columns)
    defer { data.deallocate() }
    let w = try! WeightMatrix(type: type, rows: rows, columns: columns, data: data)
    let x = UnsafeMutablePointer<Float>.allocate(capacity: count * columns)
    let out = UnsafeMutablePointer<Float>.allocate(capacity: count * rows)
    defer { x.deallocate(); out.deallocate() }
    var rng = Rng(s: 2)
    for i in 0..<(count * columns) { x[i] = Float(Int(rng.next() % 2001) - 1000) / 1000 }
    let pool = pools[threads]!
    MatMul.multiply(w, input: x, count: count, output: out, pool: pool, scratch: scratch)
    let bytes = Double(w.bytesPerRow * rows)
    let flops = 2.0 * Double(rows) * Double(columns) * Double(count)
    // Repeat for at least ~0.3 s (decode: stream from memory, matrices bigger than L3 dominate anyway).
    var iterations = 0
    let t0 = now()
    var best = Double.infinity
    while now() - t0 < (quick ? 0.1 : 0.3) || iterations < 3 {
        let s = now()
        MatMul.multiply(w, input: x, count: count, output: out, pool: pool, scratch: scratch)
        best = min(best, now() - s)
        iterations += 1
    }
    return (best, bytes / best / 1e9, flops / best / 1e9)
}

/// Median times (AVX2, VNNI) of `reps` alternating measurements, each the best of a few products
/// (VNNI nil when the CPU lacks it).
func compare(_ type: TensorType, rows: Int, columns: Int, count: Int, threads: Int, reps: Int = 5) -> (avx2: Double, vnni: Double?) {
    let data = makeWeights(type, rows: rows, columns: columns)
    defer { data.deallocate() }
    let w = try! WeightMatrix(type: type, rows: rows, columns: columns, data: data)
    let x = UnsafeMutablePointer<Float>.allocate(capacity: count * columns)
    let out = UnsafeMutablePointer<Float>.allocate(capacity: count * rows)
    defer { x.deallocate(); out.deallocate() }
    var rng = Rng(s: 2)
    for i in 0..<(count * columns) { x[i] = Float(Int(rng.next() % 2001) - 1000) / 1000 }
    let pool = pools[threads]!
    let levels = ck_kernel_supported(Int32(CK_KERNELS_AVX512_VNNI)) != 0 ? [Int32(CK_KERNELS_AVX2), Int32(CK_KERNELS_AVX512_VNNI)] : [Int32(CK_KERNELS_AVX2)]
    let saved = ck_kernel_level()
    defer { _ = ck_set_kernel_level(saved) }
    var times: [[Double]] = levels.map { _ in [] }
    for _ in 0..<reps {
        for (k, level) in levels.enumerated() {
            _ = ck_set_kernel_level(level)
            MatMul.multiply(w, input: x, count: count, output: out, pool: pool, scratch: scratch)
            var best = Double.infinity, n = 0
            let t0 = now()
            while n < 2 || (now() - t0 < 0.1 && n < 20) {
                let s = now()
                MatMul.multiply(w, input: x, count: count, output: out, pool: pool, scratch: scratch)
                best = min(best, now() - s); n += 1
            }
            times[k].append(best)
        }
    }
    func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
    return (median(times[0]), levels.count > 1 ? median(times[1]) : nil)
}

func compareLine(_ name: String, _ type: TensorType, rows: Int, columns: Int, count: Int, threads: [Int]) -> String {
    var line = pad("\(name) \(rows)x\(columns) n\(count)", 26)
    let flops = 2.0 * Double(rows) * Double(columns) * Double(count)
    for t in threads {
        let (a, v) = compare(type, rows: rows, columns: columns, count: count, threads: t)
        line += "  \(t)T avx2 \(fmt(a * 1e3, 2)) ms \(fmt(flops / a / 1e9)) GF/s"
        if let v { line += ", vnni \(fmt(v * 1e3, 2)) ms \(fmt(flops / v / 1e9)) GF/s (\(fmt(a / v, 2))×)" }
    }
    return line
}

/// Mean time of one product when successive products use different copies of the matrix (≥ 256 MB in all).
func benchCold(_ type: TensorType, rows: Int, columns: Int, count: Int, threads: Int) -> Double {
    let bytesPerMatrix = type.byteCount(elements: rows * columns)!
    let copies = max(1, (256 << 20) / bytesPerMatrix)
    let matrices = (0..<copies).map { _ in makeWeights(type, rows: rows, columns: columns) }
    defer { for m in matrices { m.deallocate() } }
    let ws = matrices.map { try! WeightMatrix(type: type, rows: rows, columns: columns, data: $0) }
    let x = UnsafeMutablePointer<Float>.allocate(capacity: count * columns)
    let out = UnsafeMutablePointer<Float>.allocate(capacity: count * rows)
    defer { x.deallocate(); out.deallocate() }
    for i in 0..<(count * columns) { x[i] = Float(i % 2001 - 1000) / 1000 }
    let pool = pools[threads]!
    var best = Double.infinity
    for _ in 0..<3 {
        let s = now()
        for w in ws { MatMul.multiply(w, input: x, count: count, output: out, pool: pool, scratch: scratch) }
        best = min(best, (now() - s) / Double(copies))
    }
    return best
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func fmt(_ v: Double, _ digits: Int = 1) -> String {
    var p = 1.0; for _ in 0..<digits { p *= 10 }
    let r = (v * p).rounded() / p
    return String(r)
}

do {
    let pool = pools[2]!
    for _ in 0..<1000 { pool.run { _, _ in } }
    var best = Double.infinity, total = 0.0
    for _ in 0..<20 {
        let s = now()
        for _ in 0..<1000 { pool.run { _, _ in } }
        let t = (now() - s) / 1000
        best = min(best, t); total += t
    }
    print("ThreadPool.run (2 threads, empty body): best \(fmt(best * 1e6, 2)) µs, mean \(fmt(total / 20 * 1e6, 2)) µs per call")
}

if CommandLine.arguments.contains("bandwidth") {
    // Memory read bandwidth (1 GiB buffer, best of 5): the ceiling of decode, which streams every weight per token.
    for threads in [1, 2] {
        let rate = MemoryBandwidth.measure(pool: pools[threads]!)
        print("memory read bandwidth, \(threads) thread\(threads == 1 ? "" : "s"): \(fmt(rate / 1e9)) GB/s")
    }
}

if CommandLine.arguments.contains("rows") {
    // Small-batch decode (continuous batching of 1-4 sequences): time of count = 1…4 rows relative to 1 row,
    // at the Qwen2.5-0.5B decode shapes and types. A ratio near 1 means the extra rows ride on one weight read.
    let rowShapes: [(TensorType, String, Int, Int)] = [
        (.q5_0, "Q5_0", 896, 896), (.q5_0, "Q5_0", 4864, 896), (.q8_0, "Q8_0", 4864, 896),
        (.q4_K, "Q4_K", 896, 4864), (.q6_K, "Q6_K", 896, 4864), (.q8_0, "Q8_0", 151936, 896),
    ]
    let threads = CommandLine.arguments.contains("1t") ? 1 : 2
    // "cold": cycle through enough copies of each matrix (≥ 256 MB) that weights stream from DRAM, as in a model.
    let cold = CommandLine.arguments.contains("cold")
    for (t, name, r, c) in rowShapes {
        var line = pad("\(name) \(r)x\(c)", 20)
        let one = cold ? benchCold(t, rows: r, columns: c, count: 1, threads: threads) : bench(t, rows: r, columns: c, count: 1, threads: threads).seconds
        line += "  1: \(fmt(one * 1e6)) µs"
        for count in 2...4 {
            let m = cold ? benchCold(t, rows: r, columns: c, count: count, threads: threads) : bench(t, rows: r, columns: c, count: count, threads: threads).seconds
            line += "  \(count): \(fmt(m / one, 2))×"
        }
        print(line)
    }
    exit(0)
}

let vnniNote = ck_kernel_supported(Int32(CK_KERNELS_AVX512_VNNI)) != 0 ? "AVX2 vs AVX-512 VNNI" : "AVX2 only (no AVX-512 VNNI on this CPU)"

if CommandLine.arguments.contains("pp") {
    // Prompt-processing shapes only (count 512): Gemma3-270M and Qwen2.5-0.5B.
    print("pp shapes, \(vnniNote): median of 5 alternating runs")
    let ppTypes: [(TensorType, String)] = [(.q4_1, "Q4_1"), (.q5_0, "Q5_0"), (.q8_0, "Q8_0"), (.q4_K, "Q4_K"), (.q6_K, "Q6_K")]
    let ppShapes = [(2048, 640), (640, 2048), (640, 1024), (896, 896), (4864, 896), (896, 4864)]
    let filter = CommandLine.arguments.last!
    for (t, name) in ppTypes {
        for (r, c) in ppShapes where c % t.blockSize == 0 && (filter == "pp" || "\(name) \(r)x\(c)".contains(filter)) {
            print(compareLine(name, t, rows: r, columns: c, count: 512, threads: [1, 2]))
        }
    }
    exit(0)
}

if CommandLine.arguments.contains("train") {
    // The LoRA trainer's products (SmolLM2-135M forward: Q4_1; Qwen2.5-0.5B-like: Q4_K/Q5_0/Q6_K; backward:
    // Q8_0 transposes, incl. the output head's 576x49152 at 32 and 256 rows).
    print("trainer shapes, \(vnniNote): median of 5 alternating runs")
    let shapes: [(TensorType, String, Int, Int, Int)] = [
        (.q4_1, "Q4_1", 576, 576, 1024), (.q4_1, "Q4_1", 1536, 576, 1024),
        (.q4_K, "Q4_K", 896, 4864, 1024), (.q4_K, "Q4_K", 4864, 896, 1024),
        (.q5_0, "Q5_0", 896, 4864, 1024), (.q5_0, "Q5_0", 4864, 896, 1024),
        (.q6_K, "Q6_K", 896, 4864, 1024), (.q6_K, "Q6_K", 4864, 896, 1024),
        (.q8_0, "Q8_0", 576, 1536, 1024), (.q8_0, "Q8_0", 576, 49152, 32), (.q8_0, "Q8_0", 576, 49152, 256),
    ]
    let args = CommandLine.arguments.dropFirst().filter { $0 != "train" && $0 != "1t" && $0 != "2t" }
    let threads = CommandLine.arguments.contains("1t") ? [1] : CommandLine.arguments.contains("2t") ? [2] : [1, 2]
    for (t, name, r, c, n) in shapes where c % t.blockSize == 0 && (args.isEmpty || args.contains { "\(name) \(r)x\(c) n\(n)".contains($0) }) {
        print(compareLine(name, t, rows: r, columns: c, count: n, threads: threads))
    }
    exit(0)
}

let types: [(TensorType, String)] = [(.q4_0, "Q4_0"), (.q4_1, "Q4_1"), (.q5_0, "Q5_0"), (.q5_1, "Q5_1"), (.q8_0, "Q8_0"), (.q4_K, "Q4_K"), (.q5_K, "Q5_K"), (.q6_K, "Q6_K"), (.f16, "F16")]
// Qwen2.5-0.5B shapes (896 = 3.5 × 256, so K-quants only occur with 4864 columns) and Gemma3-270M ffn_down.
let shapes = [(896, 896), (4864, 896), (896, 4864), (640, 2048)]
print("matvec (count 1): best time, weight GB/s, GFLOP/s")
for (t, name) in types {
    var list = shapes
    if t == .q8_0 { list.append((151936, 896)) }
    for (r, c) in list where c % t.blockSize == 0 {
        var line = pad("\(name) \(r)x\(c)", 20)
        for threads in [1, 2] {
            let m = bench(t, rows: r, columns: c, count: 1, threads: threads)
            line += pad("  \(threads)T: \(fmt(m.seconds * 1e6)) µs \(fmt(m.gbs)) GB/s \(fmt(m.gflops)) GF/s", 44)
        }
        print(line)
    }
}
print("\nmatmul (count 512): best time, GFLOP/s")
for (t, name) in types {
    for (r, c) in shapes where c % t.blockSize == 0 {
        var line = pad("\(name) \(r)x\(c)", 20)
        for threads in [1, 2] {
            let m = bench(t, rows: r, columns: c, count: 512, threads: threads)
            line += pad("  \(threads)T: \(fmt(m.seconds * 1e3, 2)) ms \(fmt(m.gflops)) GF/s", 34)
        }
        print(line)
    }
}

// Swift SIMD vs C for the decode dots (single thread, weights in cache: 896x896 / 4864x896).
print("\nSwift-SIMD vs C decode dot (1 thread)")
for (t, name) in [(TensorType.q8_0, "Q8_0"), (.q4_K, "Q4_K")] {
    for (r, c) in [(896, 4864), (4864, 2048)] {
        let data = makeWeights(t, rows: r, columns: c)
        let w = try! WeightMatrix(type: t, rows: r, columns: c, data: data)
        let x = UnsafeMutablePointer<Float>.allocate(capacity: c)
        for i in 0..<c { x[i] = Float(i % 17) / 17 - 0.5 }
        let k8 = t == .q4_K
        let stride = k8 ? ck_act_stride_q8_K(Int32(c)) : ck_act_stride_q8_32(Int32(c))
        let act = UnsafeMutableRawPointer.allocate(byteCount: stride, alignment: 64)
        if k8 { ck_quantize_q8_K(x, Int32(c), act) } else { ck_quantize_q8_32(x, Int32(c), act) }
        let out = UnsafeMutablePointer<Float>.allocate(capacity: r)
        func time(_ f: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<50 { let s = now(); f(); best = min(best, now() - s) }
            return best
        }
        let tSwift = time {
            for row in 0..<r {
                out[row] = k8 ? SwiftSIMDDots.q4_K(row: w.row(row), act: act, columns: c) : SwiftSIMDDots.q8_0(row: w.row(row), act: act, columns: c)
            }
        }
        let swiftValue = out[r / 2]
        let tC = time { _ = ck_gemm(Int32(t.rawValue), w.data, w.bytesPerRow, Int32(r), act, stride, 1, Int32(c), out, r) }
        print("\(name) \(r)x\(c): Swift SIMD \(fmt(tSwift * 1e6)) µs, C AVX2 \(fmt(tC * 1e6)) µs, speedup \(fmt(tSwift / tC, 2))x (check \(swiftValue) vs \(out[r / 2]))")
        data.deallocate(); x.deallocate(); act.deallocate(); out.deallocate()
    }
}
