import Foundation
import GGUF
import Testing

@Suite("safetensors writer")
struct SafeTensorsTests {
    /// The tensors of `Fixtures/python-written.safetensors`, written by Python's `safetensors.numpy.save_file`
    /// (safetensors 0.8.0) with metadata `{"format": "pt", "step": "7", "note": "tab\there \"quoted\" é"}`
    /// (Python orders metadata keys at random; this file happens to have them sorted, as our writer does).
    static func pythonEquivalent() throws -> SafeTensorsWriter {
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "step": "7", "note": "tab\there \"quoted\" é"])
        try writer.add("blk.0.attn_q.lora_a", shape: [2, 3], floats: [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25])
        try writer.add("blk.0.attn_q.lora_b", shape: [3, 1], floats: [1e-8, -3.5, 65504])
        try writer.add("step", dtype: "I64", shape: [1], bytes: [7, 0, 0, 0, 0, 0, 0, 0])
        try writer.add("half", dtype: "F16", shape: [2], bytes: [0x00, 0x3C, 0x00, 0xC0])
        try writer.add("empty", shape: [0, 4], floats: [])
        return writer
    }

    @Test("byte for byte what the Python package writes")
    func matchesPython() throws {
        let python = try [UInt8](Data(contentsOf: TestModels.fixture("python-written.safetensors")))
        #expect(try Self.pythonEquivalent().serialized() == python)
    }

    @Test("the Python-written file reads back with our reader")
    func readsPythonFile() throws {
        let file = try SafeTensorsFile(path: TestModels.fixture("python-written.safetensors").path)
        #expect(file.metadata == ["format": "pt", "step": "7", "note": "tab\there \"quoted\" é"])
        #expect(Set(file.tensors.keys) == ["blk.0.attn_q.lora_a", "blk.0.attn_q.lora_b", "step", "half", "empty"])
        let a = try file.floats("blk.0.attn_q.lora_a", shape: [2, 3])
        #expect(Array(UnsafeBufferPointer(start: a, count: 6)) == [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25])
        #expect(file.tensors["step"]?.dtype == "I64")
        #expect(file.tensors["half"]?.byteCount == 4)
        #expect(file.tensors["empty"]?.elementCount == 0)
    }

    @Test("round trip through a file; header padded to 8 bytes; data in header order")
    func roundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        var writer = SafeTensorsWriter()
        let big = (0..<1000).map { Float($0) * 0.001 - 0.5 }
        try writer.add("z.last", shape: [10, 100], floats: big)
        try writer.add("a.first", shape: [3], floats: [.infinity, -0.0, .leastNonzeroMagnitude])
        let path = folder.url.appendingPathComponent("t.safetensors").path
        try writer.write(to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes == writer.serialized())
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 4 * 1003)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix(#"{"a.first":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"z.last":"#))
        let file = try SafeTensorsFile(path: path)
        #expect(file.metadata.isEmpty)
        let z = try file.floats("z.last", shape: [10, 100])
        #expect(Array(UnsafeBufferPointer(start: z, count: 1000)) == big)
        let a = try file.floats("a.first", shape: [3])
        let values = Array(UnsafeBufferPointer(start: a, count: 3))
        #expect(values[0] == .infinity && values[1].sign == .minus && values[2] == .leastNonzeroMagnitude)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["t.safetensors"])
    }

    @Test("bad tensors are refused")
    func refusals() throws {
        var writer = SafeTensorsWriter()
        try writer.add("w", shape: [2], floats: [1, 2])
        #expect(throws: SafeTensorsError.invalidHeader("tensor 'w' is added twice")) { try writer.add("w", shape: [2], floats: [1, 2]) }
        #expect(throws: SafeTensorsError.self) { try writer.add("x", shape: [3], floats: [1, 2]) }
        #expect(throws: SafeTensorsError.unsupportedType("Q4_0", tensor: "q")) { try writer.add("q", dtype: "Q4_0", shape: [1], bytes: [0]) }
        #expect(throws: SafeTensorsError.self) { try writer.add("__metadata__", shape: [1], floats: [1]) }
        #expect(throws: SafeTensorsError.self) { try writer.write(to: "/nonexistent-folder/x.safetensors") }
        // Empty: `{}` padded with six spaces, as the reference implementation writes it.
        #expect(SafeTensorsWriter().serialized() == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
    }

    /// A header whose tensor ends near `Int.max`: the reader added the end offset to the header's end and trapped
    /// on the overflow instead of refusing the file (found while writing the safetensors fuzz target).
    @Test("data offsets near Int.max are refused, not overflowed")
    func hugeDataOffsets() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        for (dtype, end) in [("U8", Int.max), ("U8", Int.max - 7), ("I16", Int.max - 1)] {
            let count = dtype == "U8" ? end : end / 2
            let header = Array(#"{"t": {"dtype": "\#(dtype)", "shape": [\#(count)], "data_offsets": [0, \#(end)]}}"#.utf8)
            var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
            bytes += header + [0, 0, 0, 0]
            let url = folder.url.appendingPathComponent("huge.safetensors")
            try Data(bytes).write(to: url)
            #expect(throws: SafeTensorsError.truncated("tensor 't'")) { _ = try SafeTensorsFile(path: url.path) }
        }
    }
}
