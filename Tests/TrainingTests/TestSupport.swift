import Foundation
import GGUF
import ModelStore
import Testing
@testable import Training

/// The models whose real chat templates the encoder is tested on, located in the model store
/// (`groupqwen models fetch smollm2-135m qwen2.5-coder-0.5b gemma3-270m`).
enum TestModels {
    /// The GGUF of model `id`; records an issue and throws when it is not fetched.
    static func gguf(_ id: String) throws -> GGUFFile {
        guard let url = ModelStore().localPath(for: id) else {
            Issue.record("model \(id) is not fetched: run `groupqwen models fetch \(id)`")
            throw CancellationError()
        }
        return try GGUFFile(path: url.path)
    }

    /// The repository's tiny random Qwen3 fixture (SmolLM2's tokenizer and chat template).
    static var tinyPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/qwen3-tiny-random.gguf").path
    }

    /// An encoder for the tiny fixture.
    static func tinyEncoder() throws -> ChatExampleEncoder {
        try ChatExampleEncoder(gguf: try GGUFFile(path: tinyPath))
    }

    /// This test folder's fixtures.
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }
}

/// A fresh temporary folder, deleted by `cleanup()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("training-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the folder and returns its URL.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }

    func cleanup() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// One OpenAI chat line from (role, content) pairs; a third element gives an assistant weight.
func chatLine(_ messages: [(String, String)], weights: [Int: Int] = [:]) -> String {
    let items = messages.enumerated().map { i, m -> [String: Any] in
        var item: [String: Any] = ["role": m.0, "content": m.1]
        if let w = weights[i] { item["weight"] = w }
        return item
    }
    let data = try! JSONSerialization.data(withJSONObject: ["messages": items], options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}
