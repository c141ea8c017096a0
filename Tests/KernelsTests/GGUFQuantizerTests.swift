import Foundation
import GGUF
import Testing
@testable import Kernels

/// llama.cpp's tensor type rules and the GGUF re-quantizer on small synthetic models.
@Suite struct GGUFQuantizerTests {
    /// Layers that llama.cpp's `use_more_bits(i, 24)` picks: i < 3, i >= 21, or (i − 3) % 3 == 2.
    static let moreBits24: Set<Int> = [0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23]

    static func tensorList(layers: Int, hidden: Int, ffn: Int, vocab: Int, tied: Bool) -> [(name: String, shape: [Int], type: TensorType)] {
        var t: [(name: String, shape: [Int], type: TensorType)] = [
            ("token_embd.weight", [hidden, vocab], .f32), ("output_norm.weight", [hidden], .f32),
        ]
        if !tied { t.append(("output.weight", [hidden, vocab], .f32)) }
        for i in 0..<layers {
            let p = "blk.\(i)."
            t += [
                (p + "attn_norm.weight", [hidden], .f32), (p + "attn_q.weight", [hidden, hidden], .f32),
                (p + "attn_q.bias", [hidden], .f32), (p + "attn_k.weight", [hidden, hidden / 4], .f32),
                (p + "attn_v.weight", [hidden, hidden / 4], .f32), (p + "attn_output.weight", [hidden, hidden], .f32),
                (p + "ffn_norm.weight", [hidden], .f32), (p + "ffn_gate.weight", [hidden, ffn], .f32),
                (p + "ffn_up.weight", [hidden, ffn], .f32), (p + "ffn_down.weight", [ffn, hidden], .f32),
            ]
        }
        return t.reversed()
    }

    @Test("Q4_K_M: llama.cpp's choices for a 24-layer model with tied embeddings")
    func q4KMChoices() throws {
        let selector = TensorTypeSelector(fileType: .mostlyQ4_K_M, model: .init(architecture: "qwen2", blockCount: 24, headCount: 14, headCountKV: 2))
        let d = try selector.decide(Self.tensorList(layers: 24, hidden: 1024, ffn: 4864, vocab: 1000, tied: true))
        let byName = Dictionary(uniqueKeysWithValues: d.map { ($0.name, $0.targetType) })
        #expect(byName["token_embd.weight"] == .q6_K)            // tied: quantized like the output
        #expect(byName["output_norm.weight"] == .f32)
        for i in 0..<24 {
            let expected: TensorType = Self.moreBits24.contains(i) ? .q6_K : .q4_K
            #expect(byName["blk.\(i).attn_v.weight"] == expected, "attn_v \(i)")
            #expect(byName["blk.\(i).ffn_down.weight"] == expected, "ffn_down \(i)")
            #expect(byName["blk.\(i).attn_q.weight"] == .q4_K)
            #expect(byName["blk.\(i).attn_q.bias"] == .f32)
            #expect(byName["blk.\(i).ffn_norm.weight"] == .f32)
        }
        // llama.cpp's order: non-layer tensors by name, then by layer number (10 after 9), then name.
        #expect(d.prefix(3).map(\.name) == ["output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight"])
        let layersInOrder = d.compactMap { TensorTypeSelector.layerNumber($0.name) }
        #expect(layersInOrder == layersInOrder.sorted())
        #expect(d.first { $0.name == "output_norm.weight" }?.shape == [1024])
    }

    @Test("row lengths that are not a multiple of 256 fall back like llama.cpp (Q4_K→Q5_0, Q6_K→Q8_0)")
    func fallbacks() throws {
        let model = TensorTypeSelector.Model(architecture: "llama", blockCount: 8, headCount: 9, headCountKV: 3)
        let q4 = try TensorTypeSelector(fileType: .mostlyQ4_K_M, model: model).decide(Self.tensorList(layers: 8, hidden: 576, ffn: 1536, vocab: 100, tied: false))
        let t = Dictionary(uniqueKeysWithValues: q4.map { ($0.name, $0.targetType) })
        #expect(t["output.weight"] == .q8_0)                 // 576 % 256 != 0: output goes to Q8_0
        #expect(t["token_embd.weight"] == .q5_0)            // untied: default Q4_K, falls back to Q5_0
        #expect(t["blk.0.attn_q.weight"] == .q5_0)
        #expect(t["blk.0.attn_v.weight"] == .q8_0)          // Q6_K (more bits) → Q8_0
        #expect(t["blk.4.attn_v.weight"] == .q5_0)          // use_more_bits(4, 8) is false (3 is true)
        #expect(t["blk.0.ffn_down.weight"] == .q6_K)        // 1536 % 256 == 0
        #expect(t["blk.4.ffn_down.weight"] == .q4_K)
        let q8 = try TensorTypeSelector(fileType: .mostlyQ8_0, model: model).decide([("w.weight", [40, 8], .f32), ("output.weight", [576, 10], .f16)])
        #expect(q8.map(\.targetType) == [.q8_0, .f16])       // 40 % 32 != 0: F16
        let f16 = try TensorTypeSelector(fileType: .mostlyF16, model: model).decide([("a.weight", [40, 8], .bf16), ("n_norm.weight", [40, 1], .bf16)])
        #expect(f16.map(\.targetType) == [.f16, .bf16])      // 1-D ([40, 1] counts as 1-D) keeps its type
        #expect(f16.map(\.shape) == [[40, 8], [40]])
        #expect(throws: QuantizerError.self) {
            try TensorTypeSelector(fileType: .mostlyQ8_0, model: .init(architecture: "falcon", blockCount: 1)).decide([])
        }
    }

    /// Tensor type counts `llama-quantize` (llama.cpp 0c1e570, no imatrix) chose for the fetched models
    /// (`Q4_K_M`; with `Q8_0` every quantizable tensor is Q8_0). Skipped when a model is not fetched.
    @Test("Q4_K_M plan of the real models equals llama-quantize's", arguments: [
        ("smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf", ["F32": 61, "Q4_K": 16, "Q5_0": 166, "Q6_K": 14, "Q8_0": 15]),
        ("qwen2.5-coder-0.5b/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", ["F32": 121, "Q4_K": 12, "Q5_0": 133, "Q6_K": 12, "Q8_0": 13]),
        ("gemma3-270m/gemma-3-270m-q4_k_m.gguf", ["F32": 109, "Q4_K": 27, "Q5_0": 81, "Q6_K": 9, "Q8_0": 10]),
    ])
    func realModelPlans(file: String, expected: [String: Int]) throws {
        let path = modelPath(file)
        guard FileManager.default.fileExists(atPath: path) else { return }
        let gguf = try GGUFFile(path: path)
        var counts: [String: Int] = [:]
        for d in try GGUFQuantizer(fileType: .mostlyQ4_K_M).plan(for: gguf) { counts[d.targetType.description, default: 0] += 1 }
        #expect(counts == expected)
        let q8 = try GGUFQuantizer(fileType: .mostlyQ8_0).plan(for: gguf)
        #expect(q8.filter { $0.targetType == .q8_0 }.count == expected.values.reduce(0, +) - expected["F32"]!)
    }

    // MARK: the re-quantizer

    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quantizer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A tiny llama model in F32 (and one F16 tensor), with tokenizer metadata.
    static func writeModel(_ path: String) throws -> [String: [Float]] {
        var w = GGUFWriter()
        try w.set("general.architecture", .string("llama"))
        try w.set("general.file_type", .uint32(0))
        try w.set("llama.block_count", .uint32(2))
        try w.set("llama.attention.head_count", .uint32(4))
        try w.set("tokenizer.ggml.tokens", .array((0..<64).map { .string("t\($0)") }))
        try w.setEmptyArray("tokenizer.ggml.merges", itemType: .string)
        try w.set("general.name", .string("tiny"))
        var values: [String: [Float]] = [:]
        var rng = SplitMix(seed: 3)
        for (name, shape) in tensorList(layers: 2, hidden: 256, ffn: 512, vocab: 64, tied: false).map({ ($0.name, $0.shape) }) {
            let x = (0..<shape.reduce(1, *)).map { _ in Float.random(in: -0.05...0.05, using: &rng) }
            values[name] = x
            if name == "blk.1.ffn_up.weight" {
                try w.addTensor(name: name, shape: shape, type: .f16, bytes: Quantize.encode(.f16, x))
                values[name] = Quantize.decode(.f16, Quantize.encode(.f16, x), count: x.count)
            } else {
                try w.addTensor(name: name, shape: shape, type: .f32, bytes: Quantize.encode(.f32, x))
            }
        }
        try w.write(to: path)
        return values
    }

    static func bytes(_ f: GGUFFile, _ name: String) -> [UInt8] {
        let t = f.tensor(name)!
        return Array(UnsafeRawBufferPointer(start: f.data(of: t), count: t.byteCount))
    }

    @Test("output: llama.cpp's metadata, order and types; blocks equal Quantize's", arguments: [QuantizationFileType.mostlyQ8_0, .mostlyQ4_K_M, .mostlyF16])
    func requantize(fileType: QuantizationFileType) throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values = try Self.writeModel(dir + "/in.gguf")
        let summary = try GGUFQuantizer(fileType: fileType, threads: 2).quantize(input: dir + "/in.gguf", output: dir + "/out.gguf")
        let input = try GGUFFile(path: dir + "/in.gguf"), out = try GGUFFile(path: dir + "/out.gguf")
        #expect(out.metadataKeys == ["general.architecture", "llama.block_count", "llama.attention.head_count", "tokenizer.ggml.tokens",
                                     "tokenizer.ggml.merges", "general.name", "general.quantization_version", "general.file_type"])
        #expect(out.int("general.file_type") == Int(fileType.rawValue))
        #expect(out.metadata["general.quantization_version"] == .uint32(2))
        #expect(out.metadata["tokenizer.ggml.tokens"] == input.metadata["tokenizer.ggml.tokens"])
        #expect(out.emptyArrayItemTypes["tokenizer.ggml.merges"] == .string)
        #expect(out.tensors.map(\.name) == summary.decisions.map(\.name))
        #expect(out.tensors.map(\.name) == input.tensors.map(\.name).sorted(by: TensorTypeSelector.llamaOrder))
        for (t, d) in zip(out.tensors, summary.decisions) {
            #expect(t.type == d.targetType)
            let expected = d.targetType == d.sourceType ? Self.bytes(input, t.name) : Quantize.encode(d.targetType, values[t.name]!)
            #expect(Self.bytes(out, t.name) == expected, "\(t.name) \(d.targetType)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["in.gguf", "out.gguf"])
    }

    @Test("override values replace a tensor's data; wrong sizes and errors leave no output")
    func overrides() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeModel(dir + "/in.gguf")
        let merged = (0..<(256 * 256)).map { Float($0 % 97) * 0.001 - 0.04 }
        let q = GGUFQuantizer(fileType: .mostlyQ8_0, threads: 2)
        let summary = try q.quantize(input: dir + "/in.gguf", output: dir + "/out.gguf") { name in
            name == "blk.0.attn_q.weight" ? merged : nil
        }
        #expect(summary.overridden == ["blk.0.attn_q.weight"])
        #expect(Self.bytes(try GGUFFile(path: dir + "/out.gguf"), "blk.0.attn_q.weight") == Quantize.encode(.q8_0, merged))

        try FileManager.default.removeItem(atPath: dir + "/out.gguf")
        #expect(throws: QuantizerError.overrideSize(tensor: "blk.0.attn_q.weight", expected: 65536, got: 3)) {
            try q.quantize(input: dir + "/in.gguf", output: dir + "/out.gguf") { $0 == "blk.0.attn_q.weight" ? [1, 2, 3] : nil }
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try q.quantize(input: dir + "/in.gguf", output: dir + "/out.gguf") { name in
                if name.hasPrefix("blk.1") { throw Stop() }
                return nil
            }
        }
        var bad = [Float](repeating: 0.01, count: 256 * 256)
        bad[77] = .infinity
        #expect(throws: QuantizerError.nonFiniteData(tensor: "blk.0.attn_q.weight", type: .q8_0)) {
            try q.quantize(input: dir + "/in.gguf", output: dir + "/out.gguf") { $0 == "blk.0.attn_q.weight" ? bad : nil }
        }
        #expect(throws: QuantizerError.sameFile(path: dir + "/in.gguf")) {
            try q.quantize(input: dir + "/in.gguf", output: dir + "/in.gguf")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["in.gguf"])
    }
}
