import Foundation
import Testing
@testable import GGUF

/// Reads the header of the real SmolLM2-135M model the project downloads.
@Suite("Real model header")
struct RealModelHeaderTests {
    static var modelPath: String {
        let env = ProcessInfo.processInfo.environment
        let home = env["GROUPQWEN_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".groupqwen")
        return (home as NSString).appendingPathComponent("models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    /// The model, or nil after recording an issue that says how to get it.
    static func openModel(sourceLocation: SourceLocation = #_sourceLocation) throws -> GGUFFile? {
        let path = modelPath
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("SmolLM2-135M is not downloaded (\(path) is missing): run `groupqwen models fetch smollm2-135m`",
                         sourceLocation: sourceLocation)
            return nil
        }
        return try GGUFFile(path: path)
    }

    @Test("SmolLM2-135M Q4_1: llama, 272 tensors, 30 blocks, 49152 tokens")
    func smolLM2Header() throws {
        guard let f = try Self.openModel() else { return }
        #expect(f.architecture == "llama")
        #expect(f.version == 3)
        #expect(f.tensors.count == 272)
        #expect(try f.requireInt("llama.block_count") == 30)
        let tokens = try #require(try f.strings("tokenizer.ggml.tokens"))
        #expect(tokens.count == 49152)
        #expect(f.alignment == 32)
        #expect(f.metadataKeys.count == f.metadata.count)
        #expect(try f.requireTensor("token_embd.weight").shape.first == f.int("llama.embedding_length"))
        #expect(f.tensors.contains { $0.type == .q4_1 })
        // Every tensor lies inside the file, aligned, without overlapping the next one.
        let sorted = f.tensors.sorted { $0.fileOffset < $1.fileOffset }
        for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.fileOffset + a.byteCount <= b.fileOffset) }
        for t in f.tensors { #expect(t.fileOffset % f.alignment == 0) }
        #expect(sorted.last.map { $0.fileOffset + $0.byteCount <= f.mapping.size } == true)
    }

    @Test("the writer re-creates the model's metadata section byte for byte")
    func rewriteModelMetadata() throws {
        guard let f = try Self.openModel() else { return }
        var w = GGUFWriter()
        for key in f.metadataKeys { try w.set(key, f.metadata[key]!) }
        let t = try f.requireTensor("blk.0.attn_q.weight")
        try w.addTensor(name: t.name, shape: t.shape, type: t.type,
                        bytes: UnsafeRawBufferPointer(start: f.data(of: t), count: t.byteCount))
        let dir = ScratchDirectory()
        try w.write(to: dir.path("copy.gguf"))
        let g = try GGUFFile(path: dir.path("copy.gguf"))
        #expect(g.metadataKeys == f.metadataKeys)
        for key in f.metadataKeys { #expect(bitwiseEqual(g.metadata[key]!, f.metadata[key]!), "\(key)") }
        let u = try g.requireTensor(t.name)
        #expect(u.shape == t.shape && u.type == t.type)
        #expect(memcmp(g.data(of: u), f.data(of: t), t.byteCount) == 0)

        // From the kv count on (the tensor count differs), the metadata bytes are identical, since
        // the model's arrays are non-empty and homogeneous. Find where the first tensor info starts.
        var w0 = GGUFWriter()
        for key in f.metadataKeys { try w0.set(key, f.metadata[key]!) }
        let header = w0.headerBytes()
        let metadataEnd = header.lastIndex { $0 != 0 }.map { $0 + 1 } ?? header.count
        let original = UnsafeRawBufferPointer(start: f.mapping.base, count: metadataEnd)
        #expect(Array(original[16..<metadataEnd]) == Array(header[16..<metadataEnd]))
    }
}
