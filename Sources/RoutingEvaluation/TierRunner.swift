import Engine
import Foundation
import Gateway
import Tokenizers

/// Answers graded prompts with one chat tier the way the server does (`LocalModel`: the model's own chat template
/// and stop strings, greedy decoding, the prompt's `max_tokens`), all prompts queued at once so that the batch
/// scheduler decodes them together; every answer is stored as soon as it is complete.
public struct TierRunner: Sendable {
    /// Progress of one tier: `done` of `total` prompts answered (cached ones included), `generated` new tokens.
    public struct Progress: Sendable {
        public var model: String
        public var done: Int
        public var total: Int
        public var cached: Int
        public var generatedTokens: Int
        public var seconds: Double
    }

    /// Generation settings that enter the store key (changing them re-generates).
    public static let settings = "greedy;chat-template;v1"

    public let model: LocalModel
    public let store: AnswerStore

    public init(model: LocalModel, store: AnswerStore) {
        self.model = model
        self.store = store
    }

    /// The model file's identity in store keys: its file name and size.
    public var fingerprint: String {
        let size = ((try? FileManager.default.attributesOfItem(atPath: model.path))?[.size] as? NSNumber)?.int64Value ?? 0
        return "\((model.path as NSString).lastPathComponent):\(size)"
    }

    /// The answers to `prompts`, in order: stored ones reused, the others generated.
    public func answers(_ prompts: [GradedPrompt], progress: @Sendable (Progress) -> Void = { _ in }) async throws -> [TierAnswer] {
        let id = model.id
        let keys = prompts.map { AnswerStore.key(prompt: $0, modelFingerprint: fingerprint, settings: Self.settings) }
        var results = [TierAnswer?](repeating: nil, count: prompts.count)
        for (i, key) in keys.enumerated() { results[i] = await store.answer(key: key, model: id) }
        let cached = results.compactMap { $0 }.count
        let started = Date()
        var state = Progress(model: id, done: cached, total: prompts.count, cached: cached, generatedTokens: 0, seconds: 0)
        progress(state)
        try await withThrowingTaskGroup(of: (Int, TierAnswer).self) { group in
            for (i, prompt) in prompts.enumerated() where results[i] == nil {
                var options = GenerationOptions()
                options.maxTokens = prompt.maxTokens
                options.sampling = .greedy
                options.stop = model.chatStopStrings
                let messages = prompt.messages.map { ChatMessage(role: $0.role, content: $0.content) }
                let promptIDs: [Int32]
                do { promptIDs = try model.chatPromptIDs(messages: messages) } catch {
                    throw RouteEvaluationError.model("\(id): cannot render prompt '\(prompt.id)': \(error)")
                }
                let stream = try model.generate(promptIDs: promptIDs, options: options)
                let key = keys[i]
                group.addTask {
                    let begin = Date()
                    for try await event in stream {
                        if case let .finished(result) = event {
                            return (i, TierAnswer(key: key, promptID: prompt.id, model: id, text: result.text,
                                                  promptTokens: result.promptIDs.count, completionTokens: result.ids.count,
                                                  logprobs: result.tokens.map(\.logprob), finishReason: result.finishReason.rawValue,
                                                  seconds: Date().timeIntervalSince(begin)))
                        }
                    }
                    throw RouteEvaluationError.model("\(id): generation of '\(prompt.id)' ended without a result")
                }
            }
            for try await (i, answer) in group {
                try await store.store(answer)
                results[i] = answer
                state.done += 1
                state.generatedTokens += answer.completionTokens
                state.seconds = Date().timeIntervalSince(started)
                progress(state)
            }
        }
        return results.map { $0! }
    }
}
