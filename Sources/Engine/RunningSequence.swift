import Tokenizers

/// A sequence holding a `BatchScheduler` slot: its cache, how much of the prompt has been read,
/// and its sampling state. Touched only by the scheduler's model thread.
final class RunningSequence {
    let request: ScheduledRequest
    let cache: KVCache
    var state: SequenceState
    /// Prompt tokens already fed to the model.
    var prefilled = 0
    /// The draft's state once the scheduler has run a speculative round for this sequence.
    var speculation: SpeculativeDraft?
    private let started = ContinuousClock.now
    private var firstLogits: ContinuousClock.Instant?
    private var timings = GenerationTimings()

    /// `cache` may already hold the first `cachedPromptTokens` prompt tokens (from the prefix cache); they are not read again.
    init(request: ScheduledRequest, cache: KVCache, tokenizer: Tokenizer, cachedPromptTokens: Int = 0) {
        self.request = request
        self.cache = cache
        self.state = SequenceState(promptIDs: request.promptIDs, options: request.options, tokenizer: tokenizer)
        self.prefilled = cachedPromptTokens
        timings.promptTokens = request.promptIDs.count
        timings.cachedPromptTokens = cachedPromptTokens
    }

    /// The tokens whose keys and values the cache holds: the prompt read so far, then the generated tokens fed back.
    var cachedTokens: [Int32] {
        Array((request.promptIDs + state.ids).prefix(cache.count))
    }

    /// Whether the whole prompt has been read and each step now feeds the last sampled token.
    var isDecoding: Bool { prefilled == request.promptIDs.count && state.lastToken != nil }
    var nextToken: Int32 { state.lastToken ?? request.promptIDs[request.promptIDs.count - 1] }
    var isFinished: Bool { state.finishReason != nil }

    /// Ends a sequence that asked for no tokens (`maxTokens` 0) without running the model.
    func finishWithoutTokens() {
        request.continuation.yield(.finished(state.result(timings: timings)))
        request.continuation.finish()
    }

    /// Samples from this step's logits and streams the token; on the last token also the result. In a speculative
    /// round, `chosen` is the token the rejection rule picked (sampling), `proposal` the draft's token for this row
    /// (counted as accepted when it is the token taken) and `canContinue` whether the cache has room after this row.
    @discardableResult
    func accept(logits: UnsafeMutableBufferPointer<Float>, now: ContinuousClock.Instant, chosen: Int32? = nil,
                proposal: Int32? = nil, canContinue: Bool? = nil) -> GeneratedToken? {
        if firstLogits == nil {
            firstLogits = now
            timings.promptSeconds = (now - started).seconds
        }
        guard !request.isCancelled else {
            state.cancel()
            request.continuation.finish()
            return nil
        }
        let token = state.advance(logits: logits, canContinue: canContinue ?? (cache.count < cache.capacity), chosen: chosen)
        timings.generatedTokens += 1
        if let proposal, proposal == token.id { timings.draftAccepted += 1 }
        request.continuation.yield(.token(token))
        if state.finishReason != nil {
            timings.generationSeconds = (ContinuousClock.now - (firstLogits ?? started)).seconds
            request.continuation.yield(.finished(state.result(timings: timings)))
            request.continuation.finish()
        }
        return token
    }

    /// Counts a speculative round's proposals (before its tokens are accepted, so the result includes them).
    func recordProposals(_ count: Int) { timings.draftProposed += count }
}
