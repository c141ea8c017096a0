import Foundation
import Testing
@testable import GGUF

@Suite struct GGUFWriterStreamingTests {
    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-stream-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("streamed tensors give the same file as tensors held in memory")
    func streamingEqualsInMemory() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = (0..<24).map { UInt8($0) }, b = (0..<34).map { UInt8(255 - $0) }
        var held = GGUFWriter(alignment: 64)
        try held.set("general.architecture", .string("llama"))
        try held.addTensor(name: "a", shape: [3, 2], type: .f32, bytes: a)
        try held.addTensor(name: "q", shape: [32], type: .q8_0, bytes: b)
        var streamed = GGUFWriter(alignment: 64)
        try streamed.set("general.architecture", .string("llama"))
        #expect(try streamed.addTensorInfo(name: "a", shape: [3, 2], type: .f32) == 24)
        #expect(try streamed.addTensorInfo(name: "q", shape: [32], type: .q8_0) == 34)
        #expect(streamed.tensorDataOffsets == held.tensorDataOffsets)
        try streamed.write(to: dir + "/s.gguf") { index, emit in
            let data = index == 0 ? a : b
            // in two pieces
            try data.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<5])); try emit(UnsafeRawBufferPointer(rebasing: $0[5...])) }
        }
        try held.write(to: dir + "/h.gguf")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/s.gguf")) == Data(held.serialized()))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/h.gguf")) == Data(held.serialized()))
    }

    struct Boom: Error {}

    @Test("a failing or short tensor leaves neither the output nor a temporary file")
    func failureLeavesNothing() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var w = GGUFWriter()
        try w.addTensorInfo(name: "a", shape: [8], type: .f32)
        try w.addTensorInfo(name: "b", shape: [8], type: .f32)
        let path = dir + "/out.gguf"
        #expect(throws: Boom.self) {
            try w.write(to: path) { index, emit in
                if index == 1 { throw Boom() }
                try [UInt8](repeating: 1, count: 32).withUnsafeBytes { try emit($0) }
            }
        }
        #expect(throws: GGUFWriterError.self) {
            try w.write(to: path) { _, emit in try [UInt8](repeating: 1, count: 31).withUnsafeBytes { try emit($0) } }
        }
        #expect(throws: GGUFWriterError.self) {
            try w.write(to: path) { _, emit in try [UInt8](repeating: 1, count: 33).withUnsafeBytes { try emit($0) } }
        }
        // The in-memory writer refuses deferred tensors instead of writing zeros.
        #expect(throws: GGUFWriterError.self) { try w.write(to: path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test("GGUFFile remembers the item type of empty arrays")
    func emptyArrayTypes() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var w = GGUFWriter()
        try w.setEmptyArray("tokenizer.ggml.merges", itemType: .string)
        try w.set("x", .array([]))
        try w.write(to: dir + "/e.gguf")
        let f = try GGUFFile(path: dir + "/e.gguf")
        #expect(f.emptyArrayItemTypes == ["tokenizer.ggml.merges": .string, "x": .uint8])
    }
}
