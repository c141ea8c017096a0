import Foundation
import Testing
@testable import GGUF

@Suite("GGUFWriter round trips")
struct GGUFWriterTests {
    /// One value of every type, including edge values, nested and empty arrays.
    static let everyValue: [(String, MetadataValue)] = [
        ("t.uint8", .uint8(255)), ("t.int8", .int8(-128)),
        ("t.uint16", .uint16(65535)), ("t.int16", .int16(-32768)),
        ("t.uint32", .uint32(.max)), ("t.int32", .int32(.min)),
        ("t.uint64", .uint64(.max)), ("t.int64", .int64(.min)),
        ("t.float32", .float32(-1.5e-38)), ("t.float32.nan", .float32(Float(bitPattern: 0x7FC0_1234))),
        ("t.float32.negzero", .float32(-0.0)), ("t.float32.inf", .float32(.infinity)),
        ("t.float64", .float64(.pi)), ("t.float64.min", .float64(.leastNonzeroMagnitude)),
        ("t.bool.true", .bool(true)), ("t.bool.false", .bool(false)),
        ("t.string", .string("hello")), ("t.string.empty", .string("")),
        ("t.string.unicode", .string("日本語 🦙 ñ \u{0} nul")),
        ("t.array.u8", .array((0...255).map { .uint8(UInt8($0)) })),
        ("t.array.i8", .array([.int8(-1), .int8(1)])),
        ("t.array.u16", .array([.uint16(1)])), ("t.array.i16", .array([.int16(-2)])),
        ("t.array.u32", .array([.uint32(3), .uint32(4)])), ("t.array.i32", .array([.int32(-5)])),
        ("t.array.u64", .array([.uint64(.max)])), ("t.array.i64", .array([.int64(.min), .int64(0)])),
        ("t.array.f32", .array([.float32(0.25), .float32(-2)])), ("t.array.f64", .array([.float64(1e300)])),
        ("t.array.bool", .array([.bool(true), .bool(false), .bool(true)])),
        ("t.array.string", .array([.string("a"), .string(""), .string("ü")])),
        ("t.array.empty", .array([])),
        ("t.array.nested", .array([.array([.int32(1), .int32(2)]), .array([.string("x")]), .array([])])),
        ("t.array.nested3", .array([.array([.array([.bool(false)]), .array([.float64(2)])])])),
        ("", .string("empty key")),
        ("ключ.ü.🦙", .uint32(7)),
        ("general.architecture", .string("llama")),
    ]

    @Test("every metadata type, in order, reads back bit for bit")
    func everyMetadataType() throws {
        let dir = ScratchDirectory()
        var w = GGUFWriter()
        for (k, v) in Self.everyValue { try w.set(k, v) }
        let path = dir.path("all.gguf")
        try w.write(to: path)
        let f = try GGUFFile(path: path)
        #expect(f.version == 3)
        #expect(f.metadataKeys == Self.everyValue.map(\.0))
        #expect(f.metadata.count == Self.everyValue.count)
        for (k, v) in Self.everyValue {
            let got = try #require(f.metadata[k], "missing \(k)")
            #expect(bitwiseEqual(got, v), "\(k): wrote \(v), read \(got)")
        }
        #expect(f.tensors.isEmpty)
        #expect(f.alignment == 32)
        #expect(f.architecture == "llama")
        #expect(f.bool("t.bool.true") == true)
        #expect(f.bool("t.bool.false") == false)
        #expect(try f.strings("t.array.string") == ["a", "", "ü"])
        #expect(try f.ints("t.array.i64") == [Int(Int64.min), 0])
        // The in-memory serialization is exactly what was written.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(w.serialized()))
    }

    @Test("setting an existing key replaces the value in place; removal keeps order")
    func replaceAndRemove() throws {
        var w = GGUFWriter()
        try w.set("a", .uint8(1))
        try w.set("b", .uint8(2))
        try w.set("c", .uint8(3))
        try w.set("a", .string("one"))
        #expect(w.metadata.map(\.key) == ["a", "b", "c"])
        #expect(w["a"] == .string("one"))
        #expect(w.removeValue(forKey: "b") == .uint8(2))
        #expect(w.removeValue(forKey: "b") == nil)
        try w.set("d", .bool(true))
        #expect(w.metadata.map(\.key) == ["a", "c", "d"])
        #expect(w["c"] == .uint8(3))
        let dir = ScratchDirectory()
        try w.write(to: dir.path("r.gguf"))
        let f = try GGUFFile(path: dir.path("r.gguf"))
        #expect(f.metadataKeys == ["a", "c", "d"])
    }

    @Test("an empty array keeps its declared item type")
    func emptyArrayItemType() throws {
        var w = GGUFWriter()
        try w.setEmptyArray("tokenizer.ggml.tokens", itemType: .string)
        try w.set("plain", .array([]))
        let bytes = w.serialized()
        // header (24) + key (8 + 21) + value type (4) → item type
        let itemType = bytes[57..<61].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        #expect(itemType == GGUFValueType.string.rawValue)
        let dir = ScratchDirectory()
        let f = try parse(bytes, in: dir).get()
        #expect(f.metadata["tokenizer.ggml.tokens"] == .array([]))
        #expect(f.metadata["plain"] == .array([]))
        #expect(throws: GGUFWriterError.self) { try w.setEmptyArray("x", itemType: .array) }
    }

    /// Tensors of several types with deterministic contents.
    static func sampleTensors() -> [(name: String, shape: [Int], type: TensorType, bytes: [UInt8])] {
        [
            ("f32.vector", [7], .f32, patternBytes(28, seed: 1)),
            ("f32.matrix", [5, 3], .f32, patternBytes(60, seed: 2)),
            ("f16.matrix", [4, 3, 2], .f16, patternBytes(48, seed: 3)),
            ("q8_0.matrix", [64, 3], .q8_0, patternBytes(2 * 3 * 34, seed: 4)),
            ("q4_k.matrix", [512, 2], .q4_K, patternBytes(2 * 2 * 144, seed: 5)),
            ("q6_k.4d", [256, 1, 2, 1], .q6_K, patternBytes(2 * 210, seed: 6)),
            ("i8.one", [1], .i8, [0x7F]),
            ("bf16.odd", [3], .bf16, patternBytes(6, seed: 7)),
        ]
    }

    @Test("tensors round trip with exact bytes and aligned offsets", arguments: [32, 64, 1, 4096])
    func tensorsRoundTrip(alignment: Int) throws {
        let dir = ScratchDirectory()
        var w = GGUFWriter(alignment: alignment)
        try w.set("general.architecture", .string("test"))
        let samples = Self.sampleTensors()
        for (i, s) in samples.enumerated() {
            // Alternate between [UInt8] and Data inputs.
            if i % 2 == 0 {
                try w.addTensor(name: s.name, shape: s.shape, type: s.type, bytes: s.bytes)
            } else {
                try w.addTensor(name: s.name, shape: s.shape, type: s.type, bytes: Data(s.bytes))
            }
        }
        let path = dir.path("t.gguf")
        try w.write(to: path)
        let f = try GGUFFile(path: path)
        #expect(f.alignment == alignment)
        #expect(f.dataOffset % alignment == 0)
        #expect((f.metadata["general.alignment"] != nil) == (alignment != 32))
        #expect(f.tensors.map(\.name) == samples.map(\.name))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size % alignment == 0)
        #expect(size == f.mapping.size)
        for (s, relative) in zip(samples, w.tensorDataOffsets) {
            let t = try #require(f.tensor(s.name))
            #expect(t.shape == s.shape)
            #expect(t.type == s.type)
            #expect(t.byteCount == s.bytes.count)
            #expect(t.fileOffset == f.dataOffset + relative)
            #expect(t.fileOffset % alignment == 0)
            let read = Array(UnsafeRawBufferPointer(start: f.data(of: t), count: t.byteCount))
            #expect(read == s.bytes, "bytes of \(s.name)")
            #expect(try f.requireTensor(s.name) == t)
        }
        #expect(f.tensor("missing") == nil)
        #expect(throws: GGUFError.missingTensor("missing")) { try f.requireTensor("missing") }
        // Tensors do not overlap and appear in order.
        for (a, b) in zip(f.tensors, f.tensors.dropFirst()) { #expect(a.fileOffset + a.byteCount <= b.fileOffset) }
        #expect(touchAllTensors(f) >= 0)
    }

    @Test("alignment set as metadata is honoured, and bad alignments are refused")
    func alignmentMetadata() throws {
        var w = GGUFWriter()
        try w.addTensor(name: "a", shape: [3], type: .f32, bytes: patternBytes(12, seed: 9))
        try w.set("general.alignment", .uint32(128))
        #expect(w.alignment == 128)
        try w.addTensor(name: "b", shape: [1], type: .f32, bytes: [1, 2, 3, 4])
        #expect(w.tensorDataOffsets == [0, 128])
        let dir = ScratchDirectory()
        let f = try parse(w.serialized(), in: dir).get()
        #expect(f.alignment == 128)
        #expect(f.tensor("b")?.fileOffset == f.dataOffset + 128)
        for bad: MetadataValue in [.uint32(48), .uint32(0), .int32(-32), .string("32"), .uint32(1 << 21), .uint64(64), .int32(64)] {
            #expect(throws: GGUFWriterError.self) { try w.set("general.alignment", bad) }
        }
        #expect(w.alignment == 128)
    }

    @Test("the writer refuses tensors and metadata the reader would reject")
    func writerValidation() throws {
        var w = GGUFWriter()
        func tensorError(_ name: String, _ shape: [Int], _ type: TensorType, _ count: Int) -> GGUFWriterError? {
            do throws(GGUFWriterError) {
                try w.addTensor(name: name, shape: shape, type: type, bytes: [UInt8](repeating: 0, count: count))
                return nil
            } catch { return error }
        }
        #expect(tensorError("ok", [32], .q8_0, 34) == nil)
        #expect(tensorError("ok", [32], .q8_0, 34) == .duplicateTensor(name: "ok"))
        #expect(tensorError("", [1], .f32, 4) != nil)
        #expect(tensorError(String(repeating: "n", count: 64), [1], .f32, 4) != nil)
        #expect(tensorError(String(repeating: "n", count: 63), [1], .f32, 4) == nil)
        #expect(tensorError("dims0", [], .f32, 0) != nil)
        #expect(tensorError("dims5", [1, 1, 1, 1, 1], .f32, 4) != nil)
        #expect(tensorError("zero", [4, 0], .f32, 0) != nil)
        #expect(tensorError("negative", [-4], .f32, 0) != nil)
        #expect(tensorError("huge", [1 << 32, 1 << 32], .f32, 0) != nil)
        #expect(tensorError("row", [33], .q8_0, 34) != nil)
        #expect(tensorError("short", [32], .q8_0, 33) != nil)
        #expect(tensorError("long", [256], .q4_K, 145) != nil)
        #expect(tensorError("layout", [256], .iq2_xxs, 66) != nil)
        #expect(w.tensors.map(\.name) == ["ok", String(repeating: "n", count: 63)])

        #expect(throws: GGUFWriterError.self) { try w.set("mixed", .array([.int32(1), .uint32(1)])) }
        #expect(throws: GGUFWriterError.self) { try w.set("mixed.nested", .array([.array([.bool(true), .uint8(1)])])) }
        var deep = MetadataValue.array([])
        for _ in 1..<GGUFWriter.maxArrayDepth { deep = .array([deep]) }
        try w.set("deep.ok", deep)                       // exactly maxArrayDepth levels
        #expect(throws: GGUFWriterError.self) { try w.set("deep.bad", .array([deep])) }
        let dir = ScratchDirectory()
        let f = try parse(w.serialized(), in: dir).get()
        #expect(f.metadata["deep.ok"] == deep)

        let err = GGUFWriterError.invalidTensor(name: "x", reason: "33 bytes given, Q8_0 [32] needs 34")
        #expect(err.description == "cannot write GGUF tensor 'x': 33 bytes given, Q8_0 [32] needs 34")
    }

    @Test("writing into a missing directory reports the path; the target is replaced atomically")
    func writeFailures() throws {
        let dir = ScratchDirectory()
        let w = GGUFWriter()
        let bad = dir.path("no/such/dir/x.gguf")
        #expect(throws: GGUFWriterError.self) { try w.write(to: bad) }
        do { try w.write(to: bad) } catch {
            #expect(error.description.hasPrefix("cannot write GGUF file \(bad): "))
            #expect(!error.description.contains("\n"))
        }
        // Overwriting an existing file leaves only the new content and no temporary file behind.
        let path = dir.file("x.gguf", [UInt8](repeating: 0xAA, count: 10_000))
        try w.write(to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(w.serialized()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["x.gguf"])
    }

    @Test("output is byte-identical to llama.cpp's Python gguf writer (Fixtures/reference.gguf)")
    func matchesPythonReference() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/reference.gguf")
        let reference = [UInt8](try Data(contentsOf: url))
        var w = GGUFWriter()
        try w.set("general.architecture", .string("llama"))
        try w.set("general.alignment", .uint32(64))
        try w.set("llama.block_count", .uint32(2))
        try w.set("llama.rope.freq_base", .float32(10000))
        try w.set("tokenizer.ggml.add_bos_token", .bool(true))
        try w.set("general.name", .string("Référence ✓"))
        try w.set("tokenizer.ggml.tokens", .array(["<s>", "</s>", "héllo", ""].map { .string($0) }))
        try w.set("tokenizer.ggml.scores", .array([0, -1.5, 2.25].map { .float32($0) }))
        try w.set("test.int64", .int64(-(1 << 40)))
        try w.set("test.float64", .float64(3.141592653589793))
        let a = (0..<15).flatMap { i in withUnsafeBytes(of: Float(i).bitPattern.littleEndian, Array.init) }
        try w.addTensor(name: "a.weight", shape: [5, 3], type: .f32, bytes: a)
        try w.addTensor(name: "b.weight", shape: [64, 1], type: .q8_0, bytes: (0..<68).map { UInt8(($0 * 7 + 3) % 256) })
        let c: [UInt16] = [0x3C00, 0xC000, 0x3800]  // 1.0, -2.0, 0.5 in f16
        try w.addTensor(name: "c.bias", shape: [3], type: .f16, bytes: c.flatMap { v in withUnsafeBytes(of: v.littleEndian, Array.init) })
        let mine = w.serialized()
        #expect(mine.count == reference.count)
        if let i = zip(mine, reference).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("first differing byte at offset \(i)")
        }
        #expect(mine == reference)

        // And the reader parses the Python file as intended.
        let f = try GGUFFile(path: url.path)
        #expect(f.alignment == 64)
        #expect(f.metadataKeys.first == "general.architecture")
        #expect(f.string("general.name") == "Référence ✓")
        #expect(try f.strings("tokenizer.ggml.tokens") == ["<s>", "</s>", "héllo", ""])
        #expect(try f.floats("tokenizer.ggml.scores") == [0, -1.5, 2.25])
        #expect(f.tensor("b.weight")?.shape == [64, 1])
        #expect(f.tensor("b.weight")?.fileOffset == f.dataOffset + 64)
        #expect(f.tensor("c.bias")?.fileOffset == f.dataOffset + 192)
    }
}
