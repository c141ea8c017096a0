import Engine
import Foundation
import ModelStore
import Testing

/// The models the parity tests run, with their reference files and tolerances.
struct TestModel: CustomStringConvertible, Sendable {
    let id: String
    let reference: String
    /// Allowed |logprob − llama.cpp's logprob| for the reference's top-5 tokens.
    let logprobTolerance: Double

    var description: String { id }

    static let smollm2 = TestModel(id: "smollm2-135m", reference: "SmolLM2-135M-Instruct.Q4_1", logprobTolerance: 0.1)
    static let qwen25 = TestModel(id: "qwen2.5-coder-0.5b", reference: "qwen2.5-coder-0.5b-instruct-q4_k_m", logprobTolerance: 0.1)
    static let gemma3 = TestModel(id: "gemma3-270m", reference: "gemma-3-270m-q4_k_m", logprobTolerance: 0.1)
    static let qwen3Fixture = TestModel(id: "qwen3-tiny-random", reference: "qwen3-tiny-random", logprobTolerance: 0.05)
    static let all: [TestModel] = [.smollm2, .qwen25, .gemma3, .qwen3Fixture]

    /// The GGUF path: the repo's fixture for the tiny model, the model store for real ones.
    func path() throws -> String {
        if id == "qwen3-tiny-random" {
            return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/qwen3-tiny-random.gguf").path
        }
        guard let url = ModelStore().localPath(for: id) else {
            Issue.record("model \(id) is not fetched: run `groupqwen models fetch \(id)` (the README's test command does)")
            throw CancellationError()
        }
        return url.path
    }

    /// Loads (once per process) and returns the model.
    func load() throws -> LanguageModel {
        try ModelCache.shared.model(for: self)
    }
}

/// Keeps loaded models for the duration of the test process (tests in a suite run serially).
final class ModelCache: @unchecked Sendable {
    static let shared = ModelCache()
    private let lock = NSLock()
    private var models: [String: LanguageModel] = [:]

    func model(for test: TestModel) throws -> LanguageModel {
        try lock.withLock {
            if let m = models[test.id] { return m }
            let m = try ModelLoader.load(path: try test.path(), options: ModelLoadOptions(threads: 2))
            models[test.id] = m
            return m
        }
    }
}
