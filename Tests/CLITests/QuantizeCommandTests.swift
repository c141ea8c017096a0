import Foundation
import GGUF
import Testing

/// `groupqwen quantize` on the tiny fixture model: the output loads and generates; failures are one
/// line, exit code 1, and leave nothing behind.
@Suite struct QuantizeCommandTests {
    @Test("q8_0, q4_k_m and f16 outputs load and generate", arguments: ["q8_0", "q4_k_m", "f16"])
    func quantizeAndGenerate(type: String) throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("out.gguf")
        let result = try CommandRunner.run(["quantize", fixtureModelPath, out, "--type", type, "--threads", "2"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("wrote \(out)"))
        let file = try GGUFFile(path: out)
        let expectedFileType: Int = ["f16": 1, "q8_0": 7, "q4_k_m": 15][type]!
        #expect(file.int("general.file_type") == expectedFileType)
        #expect(file.int("general.quantization_version") == 2)
        let generated = try CommandRunner.run(["generate", "-m", out, "-n", "4", "--temp", "0", "hello"])
        #expect(generated.status == 0, "stderr: \(generated.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["out.gguf"])
    }

    @Test("bad input, same file and an unwritable output fail with one line and exit code 1")
    func failures() throws {
        let dir = try TemporaryDirectory()
        let cases: [([String], String)] = [
            (["quantize", dir.path("missing.gguf"), dir.path("o.gguf"), "--type", "q8_0"], "not found"),
            (["quantize", fixtureModelPath, fixtureModelPath, "--type", "q8_0"], "same file"),
            (["quantize", fixtureModelPath, dir.path("no/such/dir/o.gguf"), "--type", "q8_0"], "cannot write"),
        ]
        for (arguments, expected) in cases {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains(expected), "\(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
        let badType = try CommandRunner.run(["quantize", fixtureModelPath, dir.path("o.gguf"), "--type", "q3_k"])
        #expect(badType.status != 0)
        #expect(badType.stderr.contains("--type must be one of"))
    }
}
