import Engine

/// Validated generation settings of one request, shared by chat and text completions. Every
/// out-of-range value is rejected with a 400 naming its parameter.
struct RequestParameters: Sendable {
    static let maxChoices = 8
    static let maxStops = 16

    var n = 1
    var stream = false
    var includeUsage = false
    /// `max_completion_tokens` or `max_tokens` as requested.
    var requestedMaxTokens: Int?
    var wantsLogprobs = false
    var topLogprobs = 0
    var sampling = SamplingParameters()
    var stop: [String] = []
    var user: String?
    var ignoreEndOfGeneration = false

    /// - Parameters:
    ///   - logprobs: whether log-probabilities were asked for.
    ///   - topLogprobs: alternatives per token, named `topLogprobsParam` in errors.
    init(_ fields: SamplingFields, logprobs: Bool, topLogprobs: Int?, topLogprobsParam: String) throws(APIError) {
        func bad(_ param: String, _ rule: String) -> APIError {
            .invalidParameter("'\(param)' \(rule)", param: param)
        }
        if let n = fields.n {
            guard (1...Self.maxChoices).contains(n) else { throw bad("n", "must be between 1 and \(Self.maxChoices) (got \(n))") }
            self.n = n
        }
        stream = fields.stream ?? false
        includeUsage = fields.includeUsage ?? false
        if let value = fields.maxTokens {
            guard value >= 1 else { throw bad("max_tokens", "must be at least 1 (got \(value))") }
            requestedMaxTokens = value
        }
        if let value = fields.maxCompletionTokens {
            guard value >= 1 else { throw bad("max_completion_tokens", "must be at least 1 (got \(value))") }
            requestedMaxTokens = value
        }
        if let top = topLogprobs {
            guard (0...20).contains(top) else { throw bad(topLogprobsParam, "must be between 0 and 20 (got \(top))") }
            self.topLogprobs = top
        }
        wantsLogprobs = logprobs
        if !logprobs { self.topLogprobs = 0 }

        // OpenAI's defaults: temperature 1, top_p 1; top_k and min_p keep llama.cpp's defaults.
        sampling.temperature = 1
        sampling.topP = 1
        if let t = fields.temperature {
            guard t.isFinite, (0...2).contains(t) else { throw bad("temperature", "must be between 0 and 2 (got \(t))") }
            sampling.temperature = Float(t)
        }
        if let p = fields.topP {
            guard p.isFinite, p > 0, p <= 1 else { throw bad("top_p", "must be greater than 0 and at most 1 (got \(p))") }
            sampling.topP = Float(p)
        }
        if let k = fields.topK {
            guard k >= 0 else { throw bad("top_k", "must be at least 0 (got \(k))") }
            sampling.topK = k
        }
        if let m = fields.minP {
            guard m.isFinite, (0...1).contains(m) else { throw bad("min_p", "must be between 0 and 1 (got \(m))") }
            sampling.minP = Float(m)
        }
        if let r = fields.repetitionPenalty {
            guard r.isFinite, r > 0, r <= 10 else { throw bad("repetition_penalty", "must be greater than 0 and at most 10 (got \(r))") }
            sampling.repetitionPenalty = Float(r)
        }
        if let p = fields.presencePenalty {
            guard p.isFinite, (-2...2).contains(p) else { throw bad("presence_penalty", "must be between -2 and 2 (got \(p))") }
            sampling.presencePenalty = Float(p)
        }
        if let f = fields.frequencyPenalty {
            guard f.isFinite, (-2...2).contains(f) else { throw bad("frequency_penalty", "must be between -2 and 2 (got \(f))") }
            sampling.frequencyPenalty = Float(f)
        }
        if let seed = fields.seed { sampling.seed = UInt64(bitPattern: seed) }
        if let stop = fields.stop {
            guard stop.count <= Self.maxStops else { throw bad("stop", "may hold at most \(Self.maxStops) sequences (got \(stop.count))") }
            self.stop = stop.filter { !$0.isEmpty }
        }
        user = fields.user
        ignoreEndOfGeneration = fields.ignoreEOS ?? false
    }

    /// The options of each of the `n` generations: seeds `seed`, `seed + 1`, … (random without a
    /// seed), and `max_tokens` defaulting to the rest of the context, capped by `defaultCap`.
    /// Throws `context_length_exceeded` when the prompt leaves no room for a token.
    func generationOptions(promptTokens: Int, contextLength: Int, defaultCap: Int?) throws(APIError) -> [GenerationOptions] {
        let remaining = contextLength - promptTokens
        guard remaining >= 1 else {
            throw .invalidParameter(
                "this model's maximum context length is \(contextLength) tokens, but the prompt alone has \(promptTokens)",
                param: "messages", code: "context_length_exceeded")
        }
        let maxTokens = min(requestedMaxTokens ?? defaultCap ?? remaining, remaining)
        return (0..<n).map { index in
            var options = GenerationOptions()
            options.maxTokens = maxTokens
            options.sampling = sampling
            if let seed = sampling.seed { options.sampling.seed = seed &+ UInt64(index) }
            options.stop = stop
            options.topLogprobs = topLogprobs
            options.ignoreEndOfGeneration = ignoreEndOfGeneration
            return options
        }
    }
}
