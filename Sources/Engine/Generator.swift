import Tokenizers

/// Runs prompt processing and the token loop of one sequence on a `LanguageModel`.
///
/// Synchronous and single-sequence; `stream` wraps it in an `AsyncThrowingStream` for servers.
public final class Generator: @unchecked Sendable {
    public let model: LanguageModel

    public init(model: LanguageModel) { self.model = model }

    /// Tokenizes a raw prompt, adding BOS when the model asks for it.
    public func promptIDs(for text: String) -> [Int32] {
        let tokenizer = model.tokenizer
        var ids = tokenizer.encode(text, parseSpecial: false)
        if tokenizer.addBOS, let bos = tokenizer.bosID { ids.insert(bos, at: 0) }
        return ids
    }

    /// Generates up to `options.maxTokens` tokens after `promptIDs`, calling `onToken` for each; return
    /// false from it to stop early. `cache` defaults to a fresh one sized for prompt + maxTokens.
    public func generate(promptIDs: [Int32], options: GenerationOptions, cache: KVCache? = nil,
                         onToken: (GeneratedToken) -> Bool = { _ in true }) throws -> GenerationResult {
        try options.validate()
        try options.adapters.validate(for: model.configuration)
        guard !promptIDs.isEmpty else { throw EngineError.invalidArgument("the prompt is empty") }
        let cache = cache ?? model.makeCache(capacity: promptIDs.count + options.maxTokens)
        guard promptIDs.count + (options.maxTokens > 0 ? 1 : 0) <= cache.capacity else {
            throw EngineError.contextOverflow(needed: promptIDs.count + 1, capacity: cache.capacity)
        }
        cache.reset()
        let clock = ContinuousClock()
        var timings = GenerationTimings()
        var state = SequenceState(promptIDs: promptIDs, options: options, tokenizer: model.tokenizer)

        // Prompt: one forward pass (chunked internally), logits for the last token only.
        let start = clock.now
        let rows = promptIDs.enumerated().map { i, id in
            BatchRow(token: id, position: i, cache: cache, wantsLogits: i == promptIDs.count - 1, adapters: options.adapters)
        }
        var logits = try model.forward(rows)
        timings.promptTokens = promptIDs.count
        timings.promptSeconds = (clock.now - start).seconds

        let genStart = clock.now
        var stepRow: [BatchRow] = []
        stepRow.reserveCapacity(1)
        while state.finishReason == nil {
            let token = state.advance(logits: logits[0], canContinue: cache.count < cache.capacity)
            timings.generatedTokens += 1
            guard onToken(token) else { state.cancel(); break }
            guard state.finishReason == nil else { break }
            stepRow.removeAll(keepingCapacity: true)
            stepRow.append(BatchRow(token: token.id, position: cache.count, cache: cache, wantsLogits: true, adapters: options.adapters))
            logits = try model.forward(stepRow)
        }
        timings.generationSeconds = (clock.now - genStart).seconds
        return state.result(timings: timings)
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}

extension Generator {
    /// Tokenizes a rendered chat prompt: special tokens such as `<|im_start|>` are parsed, and BOS
    /// is added when the model asks for it and the template did not already write it.
    public func chatPromptIDs(for rendered: String) -> [Int32] {
        let tokenizer = model.tokenizer
        var ids = tokenizer.encode(rendered, parseSpecial: true)
        if tokenizer.addBOS, let bos = tokenizer.bosID, ids.first != bos { ids.insert(bos, at: 0) }
        return ids
    }
}
