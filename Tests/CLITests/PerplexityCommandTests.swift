import Foundation
import ModelStore
import Testing

/// `groupqwen perplexity` against llama.cpp's `llama-perplexity` on the same text and models
/// (`Tests/Fixtures/perplexity/llama-perplexity.json`, made by `make_reference.sh`).
struct PerplexityCommandTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/perplexity")

    static func reference() throws -> [String: [String: Double]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("llama-perplexity.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Double]])
    }

    /// Every reference entry: a model, or `model+adapter` (an adapter of `Tests/Fixtures/lora`, in GGUF and in PEFT form).
    @Test(arguments: ["smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "gemma3-270m",
                      "smollm2-135m+smollm2-r8-qkvo", "qwen2.5-coder-0.5b+qwen-r2-all-f16"])
    func matchesLlamaPerplexity(entry: String) throws {
        let expected = try #require(try Self.reference()[entry])
        let parts = entry.split(separator: "+").map(String.init)
        let model = parts[0]
        guard ModelStore().localPath(for: model) != nil else {
            Issue.record("model \(model) is not fetched: run `groupqwen models fetch \(model)`")
            return
        }
        let lora = Self.folder.deletingLastPathComponent().appendingPathComponent("lora")
        let adapters: [[String]] = parts.count == 1 ? [[]] : [["--lora", lora.appendingPathComponent(parts[1] + ".gguf").path],
                                                              ["--lora", lora.appendingPathComponent(parts[1] + "-peft").path]]
        let ctx = Int(expected["ctx"]!)
        for adapter in adapters {
            let result = try CommandRunner.run(["perplexity", "-m", model, "--threads", "2", "--ctx", "\(ctx)", "--json"] + adapter
                                               + [Self.folder.appendingPathComponent("lighthouse.txt").path])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let ppl = try #require(object["perplexity"] as? Double)
            #expect(object["chunks"] as? Int == Int(expected["chunks"]!))
            #expect(object["scored_tokens"] as? Int == Int(expected["chunks"]!) * (ctx - 1 - ctx / 2))
            // Within 0.5 % of llama.cpp's estimate; the standard errors agree to a few per cent.
            #expect(abs(ppl / expected["perplexity"]! - 1) <= 0.005, "\(adapter): ours \(ppl), llama.cpp \(expected["perplexity"]!)")
            let error = try #require(object["error"] as? Double)
            #expect(abs(error / expected["error"]! - 1) <= 0.05, "\(adapter): ours ±\(error), llama.cpp ±\(expected["error"]!)")
            #expect(result.stderr.contains("chunks · PPL"))   // progress, one line per chunk off a terminal
        }
    }

    @Test func badInputIsAClearErrorWithExitCodeNotZero() throws {
        let folder = try TemporaryDirectory()
        let short = folder.url.appendingPathComponent("short.txt")
        try Data("Too short to score.".utf8).write(to: short)
        let tooShort = try CommandRunner.run(["perplexity", "-m", fixtureModelPath, "--ctx", "64", short.path])
        #expect(tooShort.status != 0 && tooShort.stderr.contains("needs at least 128"), "\(tooShort.stderr)")
        let binary = folder.url.appendingPathComponent("binary.txt")
        try Data([0xFF, 0xFE, 0x00, 0xC3]).write(to: binary)
        let notText = try CommandRunner.run(["perplexity", "-m", fixtureModelPath, binary.path])
        #expect(notText.status != 0 && notText.stderr.contains("not UTF-8"), "\(notText.stderr)")
        let missing = try CommandRunner.run(["perplexity", "-m", fixtureModelPath, folder.url.appendingPathComponent("nope.txt").path])
        #expect(missing.status != 0 && missing.stderr.contains("cannot read"), "\(missing.stderr)")
        let tooLong = try CommandRunner.run(["perplexity", "-m", fixtureModelPath, "--ctx", "100000000", Self.folder.appendingPathComponent("lighthouse.txt").path])
        #expect(tooLong.status != 0 && tooLong.stderr.contains("context"), "\(tooLong.stderr)")
    }
}
