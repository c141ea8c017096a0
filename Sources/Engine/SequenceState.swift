import Tokenizers

/// The token-by-token state of one generating sequence: sampler, history, detokenizer and stop
/// strings. Shared by the single-sequence `Generator` and the continuous-batching `BatchScheduler`,
/// so both turn logits into tokens and text the same way.
struct SequenceState: Sendable {
    let promptIDs: [Int32]
    let options: GenerationOptions
    private var sampler: Sampler
    private var history: [Int32]
    private var detokenizer: StreamingDetokenizer
    private var stopMatcher: StopMatcher
    private let endOfGeneration: Set<Int32>
    private var constraint: OutputConstraint?
    private(set) var ids: [Int32] = []
    private(set) var tokens: [GeneratedToken] = []
    private(set) var text = ""
    /// Set once the sequence has ended.
    private(set) var finishReason: FinishReason?

    init(promptIDs: [Int32], options: GenerationOptions, tokenizer: Tokenizer) {
        self.promptIDs = promptIDs
        self.options = options
        self.sampler = Sampler(parameters: options.sampling)
        self.history = promptIDs
        self.detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        self.stopMatcher = StopMatcher(stops: options.stop)
        self.endOfGeneration = options.ignoreEndOfGeneration ? [] : tokenizer.eogIDs
        self.constraint = options.constraint
        if options.maxTokens == 0 { finishReason = .length }
    }

    /// The token the next forward pass must feed (the last sampled one).
    var lastToken: Int32? { ids.last }

    /// Samples the next token from `logits` (modified in place by penalties) and records it. Sets
    /// `finishReason` when this token ends the sequence: end-of-generation token, stop string,
    /// `maxTokens`, or `canContinue` false (the context is full). When the sequence ends on length,
    /// the token's text includes whatever was still held back, so the streamed pieces always add
    /// up to the final text.
    ///
    /// `chosen`, when given, is the token to record instead of sampling one (speculative sampling decides it).
    mutating func advance(logits: UnsafeMutableBufferPointer<Float>, canContinue: Bool = true, chosen: Int32? = nil) -> GeneratedToken {
        let raw = UnsafeBufferPointer(logits)
        let top = options.topLogprobs > 0
            ? Logprobs.top(raw, count: options.topLogprobs).map { TokenLogprob(id: $0.id, logprob: $0.logprob) } : []
        let lse = Logprobs.logSumExp(raw)
        if constraint?.decidesOpening == true { constraint?.decideOpening(raw, logSumExp: lse) }
        // Penalties modify the logits in place, so the log-probabilities are read first.
        let next = chosen ?? sampler.sample(logits, history: history[...], constraint: constraint)
        constraint?.accept(next)
        let logprob = raw[Int(next)] - lse
        ids.append(next)
        history.append(next)
        if endOfGeneration.contains(next) {
            finishReason = .stop
            return record(GeneratedToken(id: next, text: "", logprob: logprob, top: top))
        }
        var (piece, stopped) = stopMatcher.feed(detokenizer.append(next))
        if stopped {
            finishReason = .stop
        } else if constraint?.mustFinish == true {
            // The constrained document is complete: nothing but whitespace could follow.
            finishReason = .stop
            piece += releaseHeldText()
        } else if ids.count >= options.maxTokens || !canContinue {
            finishReason = .length
            piece += releaseHeldText()
        }
        text += piece
        return record(GeneratedToken(id: next, text: piece, logprob: logprob, top: top))
    }

    /// Ends the sequence before its natural end (the consumer went away).
    mutating func cancel() {
        guard finishReason == nil else { return }
        finishReason = .cancelled
        text += releaseHeldText()
    }

    private mutating func record(_ token: GeneratedToken) -> GeneratedToken {
        tokens.append(token)
        return token
    }

    /// Text held back for a possible stop string or an incomplete character.
    private mutating func releaseHeldText() -> String {
        let (tail, _) = stopMatcher.feed(detokenizer.flush())
        return tail + stopMatcher.flush()
    }

    func result(timings: GenerationTimings) -> GenerationResult {
        GenerationResult(promptIDs: promptIDs, ids: ids, text: text, tokens: tokens,
                         finishReason: finishReason ?? .length, timings: timings)
    }
}
