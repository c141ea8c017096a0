import CKernels
import GGUF
import Testing
@testable import Kernels

/// The AVX-512 VNNI kernels must give exactly the AVX2 kernels' results (same integer sums, same float
/// operations in the same order), for every type, on the tiled (≥ 8 activation rows) and per-row paths.
/// On a CPU without AVX-512 VNNI only the forcing of the AVX2 path is checked.
@Suite(.serialized) struct KernelPathTests {
    static let vnni = ck_kernel_supported(Int32(CK_KERNELS_AVX512_VNNI)) != 0
    static let types: [TensorType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

    /// out[a·rows + r] from ck_gemm on the given path, rows split in two calls (as the thread pool splits them).
    func product(_ type: TensorType, _ weights: [UInt8], rows: Int, columns: Int, _ x: [Float], count: Int, level: Int32) -> [Float] {
        let t = Int32(type.rawValue)
        let k8 = ck_uses_q8_K(t) != 0
        let stride = k8 ? ck_act_stride_q8_K(Int32(columns)) : ck_act_stride_q8_32(Int32(columns))
        let act = UnsafeMutableRawPointer.allocate(byteCount: stride * count, alignment: 64)
        defer { act.deallocate() }
        x.withUnsafeBufferPointer { xp in
            for i in 0..<count {
                if k8 { ck_quantize_q8_K(xp.baseAddress! + i * columns, Int32(columns), act + i * stride) }
                else { ck_quantize_q8_32(xp.baseAddress! + i * columns, Int32(columns), act + i * stride) }
            }
        }
        let rowBytes = weights.count / rows
        var out = [Float](repeating: .nan, count: rows * count)
        #expect(ck_set_kernel_level(level) == level)
        let split = rows / 2 | 1
        weights.withUnsafeBytes { w in
            out.withUnsafeMutableBufferPointer { o in
                for (r0, r1) in [(0, min(split, rows)), (min(split, rows), rows)] where r0 < r1 {
                    let ok = ck_gemm(t, w.baseAddress! + r0 * rowBytes, rowBytes, Int32(r1 - r0), act, stride, Int32(count),
                                     Int32(columns), o.baseAddress! + r0, rows)
                    #expect(ok == 1)
                }
            }
        }
        return out
    }

    func checkIdentical(_ type: TensorType, _ weights: [UInt8], rows: Int, columns: Int, _ x: [Float], count: Int) {
        let saved = ck_kernel_level()
        defer { _ = ck_set_kernel_level(saved) }
        let avx2 = product(type, weights, rows: rows, columns: columns, x, count: count, level: Int32(CK_KERNELS_AVX2))
        #expect(!avx2.contains { $0.isNaN })
        guard Self.vnni else { return }
        let vnni = product(type, weights, rows: rows, columns: columns, x, count: count, level: Int32(CK_KERNELS_AVX512_VNNI))
        if let k = (0..<avx2.count).first(where: { avx2[$0].bitPattern != vnni[$0].bitPattern }) {
            Issue.record("\(typeName(type)) \(rows)x\(columns) count \(count): output \(k) (activation \(k / rows), row \(k % rows)) AVX2 \(avx2[k]) vs VNNI \(vnni[k])")
        }
    }

    static func columnList(_ type: TensorType) -> [Int] {
        // 32-element types: block counts not multiples of 8, and more than one 64-block column chunk.
        type.blockSize == 256 ? [256, 768, 2304] : [96, 160, 2080, 4352]
    }

    @Test(arguments: types.map(\.rawValue))
    func randomWeights(raw: UInt32) {
        let type = TensorType(rawValue: raw)!
        var rng = SplitMix(seed: 1234 &+ UInt64(raw))
        for columns in Self.columnList(type) {
            for rows in [1, 3, 7, 13] {
                let weights = randomData(type, count: rows * columns, rng: &rng)
                for count in [1, 2, 3, 5, 7, 8, 9, 13, 31, 67] {
                    let x = (0..<(count * columns)).map { _ in Float.random(in: -1...1, using: &rng) }
                    checkIdentical(type, weights, rows: rows, columns: columns, x, count: count)
                }
            }
        }
    }

    /// Largest magnitudes: every quant at its extreme (Q8_0 −128, others their maximum) and activations
    /// quantized to ±127, so that maddubs' 16-bit pair sums are as large as they get (Q8_0: 2·128·127 =
    /// 32512, Q6_K: 2·63·127, below 32767); a saturation in the AVX2 path would break the identity.
    @Test(arguments: types.map(\.rawValue))
    func extremeValues(raw: UInt32) {
        let type = TensorType(rawValue: raw)!
        var rng = SplitMix(seed: 99 &+ UInt64(raw))
        let columns = type.blockSize == 256 ? 512 : 320, rows = 5, count = 11
        var weights = randomData(type, count: rows * columns, rng: &rng)
        let bpb = type.bytesPerBlock!
        for block in 0..<(weights.count / bpb) {
            let p = block * bpb
            let quants: Range<Int>
            switch type {
            case .q4_0: quants = (p + 2)..<(p + 18)
            case .q4_1: quants = (p + 4)..<(p + 20)
            case .q5_0: quants = (p + 2)..<(p + 22)
            case .q5_1: quants = (p + 4)..<(p + 24)
            case .q8_0: quants = (p + 2)..<(p + 34)
            case .q4_K: quants = (p + 16)..<(p + 144)
            case .q5_K: quants = (p + 16)..<(p + 176)
            default: quants = p..<(p + 192)   // Q6_K: ql and qh
            }
            for i in quants { weights[i] = type == .q8_0 ? 0x80 : 0xFF }
            if type == .q6_K { for g in 0..<16 { weights[p + 192 + g] = g % 2 == 0 ? 0x80 : 0x7F } }   // scales −128, 127
            if type == .q4_K || type == .q5_K { for k in 4..<16 { weights[p + k] = 0xFF } }   // 6-bit scales and mins 63
        }
        // Same-sign rows (every activation ±127 in a block) and alternating signs.
        let x = (0..<(count * columns)).map { i in (i / columns) % 2 == 0 ? Float((i / 7) % 2 == 0 ? 1 : -1) : Float(i % 2 == 0 ? 1 : -1) }
        checkIdentical(type, weights, rows: rows, columns: columns, x, count: count)
    }

    @Test func forcingSelectsThePath() {
        let saved = ck_kernel_level()
        defer { _ = ck_set_kernel_level(saved) }
        #expect(ck_set_kernel_level(Int32(CK_KERNELS_AVX2)) == Int32(CK_KERNELS_AVX2))
        #expect(ck_kernel_level() == Int32(CK_KERNELS_AVX2))
        let got = ck_set_kernel_level(Int32(CK_KERNELS_AVX512_VNNI))
        #expect(got == (Self.vnni ? Int32(CK_KERNELS_AVX512_VNNI) : Int32(CK_KERNELS_AVX2)))
    }
}
