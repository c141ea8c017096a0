import Engine
import Foundation
import Gateway
import Tokenizers

/// Answers questions the way the server would: the base model's chat template and stop strings, greedy decoding,
/// optionally an expert's system prompt and LoRA adapter; all questions of a call decode in one batch.
final class HeldOutAnswerer: Sendable {
    let model: LocalModel
    let maxTokens: Int

    init(model: LocalModel, maxTokens: Int) {
        self.model = model
        self.maxTokens = maxTokens
    }

    /// One answer per prompt, in order.
    func answers(_ prompts: [String], system: String?, adapter: LoRAAdapter?) async throws -> [String] {
        var options = GenerationOptions()
        options.maxTokens = maxTokens
        options.sampling = .greedy
        options.stop = model.chatStopStrings
        if let adapter { options.adapters = AdapterMix([AdapterMix.Entry(adapter: adapter, scale: 1)]) }
        var streams: [AsyncThrowingStream<GenerationEvent, Error>] = []
        for prompt in prompts {
            var messages: [ChatMessage] = []
            if let system { messages.append(ChatMessage(role: "system", content: system)) }
            messages.append(ChatMessage(role: "user", content: prompt))
            streams.append(try model.generate(promptIDs: try model.chatPromptIDs(messages: messages), options: options))
        }
        var texts: [String] = []
        for stream in streams {
            var text = ""
            for try await event in stream { if case let .finished(result) = event { text = result.text } }
            texts.append(text)
        }
        return texts
    }
}
