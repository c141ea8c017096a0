import Foundation
import GGUF
import Testing
@testable import Tokenizers

/// One model whose tokenizer is checked against llama.cpp's reference output.
struct ReferenceModel: Sendable, CustomStringConvertible {
    /// `groupqwen models fetch` id, or nil for a file stored with the tests.
    let fetchID: String?
    /// Path below `$GROUPQWEN_HOME/models` (or below the test fixtures when `fetchID` is nil).
    let relativePath: String
    /// Reference JSON in `Fixtures/`.
    let referenceName: String

    var description: String { referenceName }

    static let smolLM2 = ReferenceModel(fetchID: "smollm2-135m", relativePath: "smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf",
                                        referenceName: "SmolLM2-135M-Instruct.Q4_1")
    static let qwen25 = ReferenceModel(fetchID: "qwen2.5-coder-0.5b", relativePath: "qwen2.5-coder-0.5b/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
                                       referenceName: "qwen2.5-coder-0.5b-instruct-q4_k_m")
    static let qwen25_15 = ReferenceModel(fetchID: "qwen2.5-coder-1.5b", relativePath: "qwen2.5-coder-1.5b/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                                          referenceName: "qwen2.5-coder-1.5b-instruct-q4_k_m")
    static let gemma3 = ReferenceModel(fetchID: "gemma3-270m", relativePath: "gemma3-270m/gemma-3-270m-q4_k_m.gguf",
                                       referenceName: "gemma-3-270m-q4_k_m")
    static let qwen3Tiny = ReferenceModel(fetchID: nil, relativePath: "qwen3-tiny-random.gguf", referenceName: "qwen3-tiny-random")

    static let all: [ReferenceModel] = [.smolLM2, .qwen25, .qwen25_15, .gemma3, .qwen3Tiny]

    var ggufPath: String {
        if fetchID == nil { return Self.fixturesURL.appendingPathComponent(relativePath).path }
        let home = ProcessInfo.processInfo.environment["GROUPQWEN_HOME"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".groupqwen").path
        return URL(fileURLWithPath: home).appendingPathComponent("models").appendingPathComponent(relativePath).path
    }

    static let fixturesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Opens the GGUF and builds its tokenizer; a missing model file is a test failure with instructions.
    func tokenizer() throws -> Tokenizer {
        let path = ggufPath
        guard FileManager.default.fileExists(atPath: path) else {
            let hint = fetchID.map { "run `groupqwen models fetch \($0)`" } ?? "the test fixture is missing from the repository"
            Issue.record("model file \(path) is missing: \(hint)")
            throw MissingModel(path: path)
        }
        return try Tokenizer(gguf: GGUFFile(path: path))
    }

    func reference() throws -> ReferenceFile {
        let url = Self.fixturesURL.appendingPathComponent(referenceName + ".json")
        return try JSONDecoder().decode(ReferenceFile.self, from: Data(contentsOf: url))
    }
}

struct MissingModel: Error, CustomStringConvertible {
    let path: String
    var description: String { "missing model file \(path)" }
}

/// The part of a llama.cpp reference file the tokenizer tests use.
struct ReferenceFile: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int32]
    }
    let tokenize: [Case]
}

/// Greedy-generation prompts of a llama.cpp reference file: `promptIDs` include BOS when the model asks for it.
struct GreedyReferenceFile: Decodable {
    struct Case: Decodable {
        let prompt: String
        let promptIDs: [Int32]
        enum CodingKeys: String, CodingKey { case prompt, promptIDs = "prompt_ids" }
    }
    let greedy: [Case]
}
