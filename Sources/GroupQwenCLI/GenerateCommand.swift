import ArgumentParser
import Engine
import Foundation
import Tokenizers

/// `groupqwen generate`: run a model on a prompt and stream the continuation.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate a continuation of a prompt.")

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var loraOptions: LoRAOptions

    @Option(name: .short, help: "Maximum tokens to generate.")
    var n: Int = 128

    @Option(name: .long, help: "Sampling temperature (0 = greedy).")
    var temp: Float = 0.8

    @Option(name: .long, help: "Top-k (0 = off).")
    var topK: Int = 40

    @Option(name: .long, help: "Top-p (1 = off).")
    var topP: Float = 0.95

    @Option(name: .long, help: "Min-p (0 = off).")
    var minP: Float = 0.05

    @Option(name: .long, help: "Repetition penalty (1 = off).")
    var repeatPenalty: Float = 1

    @Option(name: .long, help: "Frequency penalty.")
    var frequencyPenalty: Float = 0

    @Option(name: .long, help: "Presence penalty.")
    var presencePenalty: Float = 0

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64?

    @Option(name: .long, parsing: .singleValue, help: "Stop before this string (repeatable).")
    var stop: [String] = []

    @Option(name: .long, help: "Report the K most likely tokens at every step.")
    var topLogprobs: Int = 0

    @Option(name: .long, help: "Context size in tokens (default: prompt + n).")
    var context: Int?

    @Flag(help: "Apply the model's own chat template (ChatML when it has none) to the prompt as one user message.")
    var chat = false

    @Flag(help: "Print one JSON object with ids, text, per-step log-probabilities and timings.")
    var json = false

    @Argument(help: "The prompt (raw text; BOS is added only if the model asks for it).")
    var prompt: String

    func run() async throws {
        try await reportingErrors {
            let model = try await modelOptions.load()
            let generator = Generator(model: model)
            let promptIDs: [Int32]
            if chat {
                promptIDs = generator.chatPromptIDs(for: try Self.renderChat(prompt, model: model))
            } else {
                promptIDs = generator.promptIDs(for: prompt)
            }
            var options = GenerationOptions()
            options.maxTokens = n
            options.sampling.temperature = temp
            options.sampling.topK = topK
            options.sampling.topP = topP
            options.sampling.minP = minP
            options.sampling.repetitionPenalty = repeatPenalty
            options.sampling.frequencyPenalty = frequencyPenalty
            options.sampling.presencePenalty = presencePenalty
            options.sampling.seed = seed
            options.stop = stop
            options.topLogprobs = topLogprobs
            options.adapters = AdapterMix(try loraOptions.load(for: model))
            let cache = model.makeCache(capacity: context ?? (promptIDs.count + max(n, 1)))
            let stdout = FileHandle.standardOutput
            let result = try generator.generate(promptIDs: promptIDs, options: options, cache: cache) { token in
                if !json, !token.text.isEmpty { stdout.write(Data(token.text.utf8)) }
                return true
            }
            if json {
                try printJSON(Self.jsonObject(result))
            } else {
                stdout.write(Data("\n".utf8))
                let t = result.timings
                FileHandle.standardError.write(Data(String(format: "[prompt %d tokens, %.1f tok/s | generated %d tokens, %.1f tok/s | %@]\n",
                    t.promptTokens, t.promptTokensPerSecond, t.generatedTokens, t.generationTokensPerSecond, result.finishReason.rawValue).utf8))
            }
        }
    }

    /// Renders `prompt` as one user message with the model's own `tokenizer.chat_template`, or plain
    /// ChatML when the model has none.
    static func renderChat(_ prompt: String, model: LanguageModel) throws -> String {
        let messages = [ChatMessage(role: "user", content: prompt)]
        guard let source = model.file.string("tokenizer.chat_template") else {
            return ChatTemplate.chatML(messages: messages, addGenerationPrompt: true)
        }
        let tokenizer = model.tokenizer
        return try ChatTemplate(source: source).render(
            messages: messages, addGenerationPrompt: true,
            bosToken: tokenizer.bosID.map { tokenizer.tokenText($0) } ?? "",
            eosToken: tokenizer.eosID.map { tokenizer.tokenText($0) } ?? "")
    }

    static func jsonObject(_ r: GenerationResult) -> [String: Any] {
        [
            "prompt_ids": r.promptIDs.map(Int.init),
            "ids": r.ids.map(Int.init),
            "text": r.text,
            "finish_reason": r.finishReason.rawValue,
            "steps": r.tokens.map { t in
                ["id": Int(t.id), "logprob": Double(t.logprob), "top": t.top.map { [Int($0.id), Double($0.logprob)] as [Any] }] as [String: Any]
            },
            "timings": [
                "prompt_tokens": r.timings.promptTokens,
                "prompt_ms": r.timings.promptSeconds * 1000,
                "prompt_tps": r.timings.promptTokensPerSecond,
                "generated_tokens": r.timings.generatedTokens,
                "generation_ms": r.timings.generationSeconds * 1000,
                "generation_tps": r.timings.generationTokensPerSecond,
            ] as [String: Any],
        ]
    }
}
