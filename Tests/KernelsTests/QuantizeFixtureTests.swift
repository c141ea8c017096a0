import Foundation
import GGUF
import Testing
@testable import Kernels

/// Bit-exactness against llama.cpp.
///
/// `Fixtures/quantize/` was produced by llama.cpp commit 0c1e570 (the ggml vendored in
/// llama-cpp-python 0.3.36): each case's inputs, regenerated below by `QuantizeFixtureInput`,
/// were passed to ggml's `ggml_quantize_chunk(type, x, y, 0, rows, rowLength, NULL)` — the call
/// `llama-quantize` makes without an importance matrix, which runs `quantize_row_<type>_ref`
/// (and `ggml_fp32_to_fp16_row` / `ggml_fp32_to_bf16_row_ref` for F16 / BF16). The small cases
/// are stored byte for byte in `<type>.bin`; the larger ones and a sweep over every 257th float
/// bit pattern (F16, BF16) are stored as FNV-1a 64 digests in `manifest.json`.
@Suite struct QuantizeFixtureTests {
    struct Manifest: Decodable {
        struct Output: Decodable { let offset: Int?; let size: Int; let digest: String }
        struct Case: Decodable {
            let name: String, kind: String, rowLength: Int, rows: Int, seed: UInt64, inputDigest: String
            let outputs: [String: Output]
        }
        struct Sweep: Decodable { let stride: Int, count: Int, f16: String, bf16: String }
        let producer: String
        let cases: [Case]
        let bitPatternSweep: Sweep
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/quantize")
    static let manifest: Manifest = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode(Manifest.self, from: data)
    }()
    static let typeNames: [(String, TensorType)] = [
        ("f16", .f16), ("bf16", .bf16), ("q4_0", .q4_0), ("q4_1", .q4_1), ("q5_0", .q5_0), ("q5_1", .q5_1),
        ("q8_0", .q8_0), ("q4_K", .q4_K), ("q5_K", .q5_K), ("q6_K", .q6_K),
    ]

    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return String(format: "%016llx", h)
    }

    @Test("the seeded generator reproduces the inputs llama.cpp quantized")
    func inputsMatch() {
        #expect(Self.manifest.cases.count == 23)
        for c in Self.manifest.cases {
            let x = QuantizeFixtureInput.values(kind: c.kind, rowLength: c.rowLength, rows: c.rows, seed: c.seed)
            let digest = x.withUnsafeBytes { Self.fnv1a($0) }
            #expect(digest == c.inputDigest, "inputs of \(c.name)")
        }
    }

    @Test("every block equals llama.cpp's", arguments: typeNames.map(\.0))
    func blocksMatch(typeName: String) throws {
        let type = Self.typeNames.first { $0.0 == typeName }!.1
        let stored = try Data(contentsOf: Self.directory.appendingPathComponent("\(typeName).bin"))
        let pool = ThreadPool(threadCount: 2)
        var compared = 0
        for c in Self.manifest.cases {
            let expected = try #require(c.outputs[typeName])
            let x = QuantizeFixtureInput.values(kind: c.kind, rowLength: c.rowLength, rows: c.rows, seed: c.seed)
            let ours = Quantize.encode(type, x, pool: c.rows > 8 ? pool : nil)
            #expect(ours.count == expected.size, "\(typeName) \(c.name) size")
            let digest = ours.withUnsafeBytes { Self.fnv1a($0) }
            #expect(digest == expected.digest, "\(typeName) \(c.name): digest \(digest), llama.cpp \(expected.digest)")
            if let offset = expected.offset {
                let reference = [UInt8](stored[offset..<offset + expected.size])
                if let i = (0..<min(ours.count, reference.count)).first(where: { ours[$0] != reference[$0] }) {
                    let block = i / type.bytesPerBlock!
                    Issue.record("\(typeName) \(c.name): first difference at byte \(i) (block \(block)): ours \(ours[i]), llama.cpp \(reference[i])")
                }
            }
            compared += ours.count
        }
        #expect(compared > 0)
    }

    @Test("F16 and BF16 of every 257th float bit pattern equal ggml's")
    func bitPatternSweep() {
        let s = Self.manifest.bitPatternSweep
        let x = (0..<s.count).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0 &* s.stride)) }
        #expect(Quantize.encode(.f16, x).withUnsafeBytes { Self.fnv1a($0) } == s.f16)
        #expect(Quantize.encode(.bf16, x).withUnsafeBytes { Self.fnv1a($0) } == s.bf16)
    }

    @Test("ggml's fp16 conversion agrees with IEEE round-to-nearest-even on finite values")
    func halfMatchesIEEE() {
        var rng = SplitMix(seed: 99)
        for _ in 0..<200_000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard !f.isNaN else { continue }
            #expect(GGMLFloatConversion.halfBits(f) == Float16(f).bitPattern, "\(f)")
            let h = UInt16(truncatingIfNeeded: rng.next())
            let back = GGMLFloatConversion.float(halfBits: h)
            let ieee = Float(Float16(bitPattern: h))
            #expect(back.bitPattern == ieee.bitPattern || (back.isNaN && ieee.isNaN))
        }
    }
}

/// The fixture inputs: SplitMix64 uniforms combined with exact float operations, so that the C
/// program that fed llama.cpp and this test compute identical values.
enum QuantizeFixtureInput {
    static func values(kind: String, rowLength: Int, rows: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix(seed: seed)
        func uniform() -> Float { Float(rng.next() >> 40) * 0x1p-24 }
        var out: [Float] = []
        out.reserveCapacity(rowLength * rows)
        for row in 0..<rows {
            for j in 0..<rowLength {
                let i = row * rowLength + j
                let u1 = uniform(), u2 = uniform(), u3 = uniform(), u4 = uniform()
                let r = rng.next()
                let g = u1 + u2 + u3 + u4 - 2
                let v: Float
                switch kind {
                case "gaussian": v = g * 0.02
                case "zeros": v = 0
                case "constant": v = row % 2 == 0 ? 0.37 : -1.5
                case "huge": v = g * 0x1p100
                case "large": v = g * 0x1p40
                case "tiny": v = g * 0x1p-100
                case "small": v = g * 0x1p-40
                case "subnormal": v = g * 0x1p-130
                case "outliers": v = i % 37 == 5 ? g * 0.02 * 40 : g * 0.02
                case "negative": v = -g.magnitude * 0.05
                case "positive": v = g.magnitude * 0.05 + 0.01
                case "block_scales":
                    let block = i / 32
                    v = block % 11 == 3 ? 0 : g * Float(bitPattern: UInt32(127 + block % 41 - 20) << 23)
                case "grid": v = Float(i % 17 - 8) * 0.25
                case "sparse": v = r % 10 == 0 ? g * 0.02 : 0
                default: fatalError("unknown fixture kind \(kind)")
                }
                out.append(v)
            }
        }
        return out
    }
}
