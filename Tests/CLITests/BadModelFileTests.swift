import Foundation
import GGUF
import Testing

/// A corrupt, truncated or unsupported model file must produce one clear line on stderr and a
/// non-zero exit code from every command that opens a model, never a crash.
@Suite struct BadModelFileTests {
    /// Runs `generate` and `tokenize` on `path` and checks both fail cleanly with `expected` in the message.
    private func expectCleanFailure(path: String, mentioning expected: String) throws {
        for arguments in [["generate", "-m", path, "-n", "2", "hello"], ["tokenize", "-m", path, "hello"]] {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == 1, "\(arguments[0]): exit status \(result.status), stderr: \(result.stderr)")
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.count == 1, "\(arguments[0]): expected one line, got: \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: "), "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments[0]): '\(expected)' not in: \(result.stderr)")
        }
    }

    @Test func truncatedFile() throws {
        let dir = try TemporaryDirectory()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixtureModelPath))
        for fraction in [0.001, 0.3, 0.9] {
            let path = dir.path("truncated-\(fraction).gguf")
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: path))
            try expectCleanFailure(path: path, mentioning: "truncated")
        }
    }

    @Test func notAGGUFFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("random.gguf")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }).write(to: URL(fileURLWithPath: path))
        try expectCleanFailure(path: path, mentioning: "not a GGUF file")
    }

    @Test func corruptTensorCount() throws {
        let dir = try TemporaryDirectory()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixtureModelPath)))
        for i in 8..<16 { bytes[i] = 0x7F }  // tensor count ≈ 2^63
        let path = dir.path("corrupt.gguf")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try expectCleanFailure(path: path, mentioning: "truncated or corrupt")
    }

    @Test func unknownArchitecture() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("mamba.gguf")
        try rewriteFixture(to: path) { key, value in key == "general.architecture" ? .string("mamba") : value }
        let result = try CommandRunner.run(["generate", "-m", path, "-n", "2", "hello"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: unknown model architecture 'mamba' (supported: llama, qwen2, qwen3, gemma3)\n")
    }

    @Test func unsupportedQuantizationType() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("iq4.gguf")
        // Re-encode one matrix as IQ4_NL (a valid GGUF type the engine has no kernel for).
        try rewriteFixture(to: path, replacing: "blk.0.attn_q.weight", with: .iq4_nl)
        let result = try CommandRunner.run(["generate", "-m", path, "-n", "2", "hello"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("tensor 'blk.0.attn_q.weight' uses quantization type IQ4_NL, which the engine does not support"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingFileAndUnknownModel() throws {
        let missing = try CommandRunner.run(["generate", "-m", "/nonexistent/model.gguf", "hello"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/model.gguf"), "\(missing.stderr)")
        let unknown = try CommandRunner.run(["generate", "-m", "no-such-model", "hello"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no-such-model") && unknown.stderr.contains("smollm2-135m"), "\(unknown.stderr)")
    }

    @Test func fixtureModelStillWorks() throws {
        // The control case: the unmodified fixture generates and reports JSON.
        let result = try CommandRunner.run(["generate", "-m", fixtureModelPath, "-n", "3", "--temp", "0", "--json", "Hello"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((object?["ids"] as? [Int])?.count == 3)
    }

    /// Copies the fixture through `GGUFWriter`, transforming metadata values and optionally
    /// replacing one tensor by zero bytes of another type with the same shape.
    private func rewriteFixture(to path: String, metadata transform: (String, MetadataValue) -> MetadataValue = { $1 },
                                replacing tensorName: String? = nil, with newType: TensorType? = nil) throws {
        let source = try GGUFFile(path: fixtureModelPath)
        var writer = GGUFWriter(alignment: source.alignment)
        for key in source.metadataKeys where key != "general.alignment" {
            try writer.set(key, transform(key, source.metadata[key]!))
        }
        for t in source.tensors {
            if t.name == tensorName, let newType {
                let count = try #require(newType.byteCount(elements: t.elementCount))
                try writer.addTensor(name: t.name, shape: t.shape, type: newType, bytes: [UInt8](repeating: 0, count: count))
            } else {
                let bytes = UnsafeRawBufferPointer(start: source.data(of: t), count: t.byteCount)
                try writer.addTensor(name: t.name, shape: t.shape, type: t.type, bytes: bytes)
            }
        }
        try writer.write(to: path)
    }

    private func rewriteFixture(to path: String, _ transform: (String, MetadataValue) -> MetadataValue) throws {
        try rewriteFixture(to: path, metadata: transform)
    }
}
