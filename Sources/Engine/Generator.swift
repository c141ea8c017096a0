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
        guard !promptIDs.isEmpty else { throw EngineError.invalidArgument("the prompt is empty") }
        let cache = cache ?? model.makeCache(capacity: promptIDs.count + options.maxTokens)
        guard promptIDs.count + (options.maxTokens > 0 ? 1 : 0) <= cache.capacity else {
            throw EngineError.contextOverflow(needed: promptIDs.count + 1, capacity: cache.capacity)
        }
        cache.reset()
        let clock = ContinuousClock()
        var timings = GenerationTimings()
        var sampler = Sampler(parameters: options.sampling)
        var history = promptIDs
        var tokens: [GeneratedToken] = []
        var ids: [Int32] = []
        var text = ""
        var detokenizer = StreamingDetokenizer(tokenizer: model.tokenizer)
        var stopMatcher = StopMatcher(stops: options.stop)
        var finish = FinishReason.length
        let eog = model.tokenizer.eogIDs

        // Prompt: one forward pass (chunked internally), logits for the last token only.
        let start = clock.now
        let rows = promptIDs.enumerated().map { i, id in
            BatchRow(token: id, position: i, cache: cache, wantsLogits: i == promptIDs.count - 1)
        }
        var logits = try model.forward(rows)
        timings.promptTokens = promptIDs.count
        timings.promptSeconds = (clock.now - start).seconds

        let genStart = clock.now
        var stepRow: [BatchRow] = []
        stepRow.reserveCapacity(1)
        while ids.count < options.maxTokens {
            let row = logits[0]
            let raw = UnsafeBufferPointer(row)
            let top = options.topLogprobs > 0
                ? Logprobs.top(raw, count: options.topLogprobs).map { TokenLogprob(id: $0.id, logprob: $0.logprob) } : []
            let lse = Logprobs.logSumExp(raw)
            // Penalties modify the logits in place, so the log-probabilities are read first.
            let next = sampler.sample(row, history: history[...])
            let logprob = raw[Int(next)] - lse
            ids.append(next)
            history.append(next)
            timings.generatedTokens += 1
            if eog.contains(next) && !options.ignoreEndOfGeneration {
                finish = .stop
                tokens.append(GeneratedToken(id: next, text: "", logprob: logprob, top: top))
                _ = onToken(tokens[tokens.count - 1])
                break
            }
            let (piece, stopped) = stopMatcher.feed(detokenizer.append(next))
            text += piece
            let token = GeneratedToken(id: next, text: piece, logprob: logprob, top: top)
            tokens.append(token)
            if stopped { finish = .stop; _ = onToken(token); break }
            guard onToken(token) else { finish = .cancelled; break }
            if ids.count >= options.maxTokens { break }
            guard cache.count < cache.capacity else { finish = .length; break }
            stepRow.removeAll(keepingCapacity: true)
            stepRow.append(BatchRow(token: next, position: cache.count, cache: cache, wantsLogits: true))
            logits = try model.forward(stepRow)
        }
        if finish == .length || finish == .cancelled {
            let (tail, _) = stopMatcher.feed(detokenizer.flush())
            text += tail + stopMatcher.flush()
        }
        timings.generationSeconds = (clock.now - genStart).seconds
        return GenerationResult(promptIDs: promptIDs, ids: ids, text: text, tokens: tokens, finishReason: finish, timings: timings)
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
