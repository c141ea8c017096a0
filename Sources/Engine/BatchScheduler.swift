import Foundation

/// Serves many generations on one `LanguageModel` with continuous batching.
///
/// A dedicated thread runs the model. Each step gathers one row per generating sequence plus a
/// slice of the prompts still being read (at most `prefillTokensPerStep` tokens, oldest request
/// first) into a single forward pass, so concurrent decodes share every weight read and a long
/// prompt never stalls running streams for more than one chunk. Sequences join and leave between
/// steps; requests beyond `maxActiveSequences` wait in a FIFO queue of bounded length. With a
/// `prefixCacheBytes` budget, finished sequences' keys and values are kept in a `PrefixCache` and a new
/// prompt starts from the longest prefix it shares with one of them.
///
/// With a `draft` model, a sequence generating alone (nothing else running or waiting) decodes speculatively: the
/// draft proposes up to `draftTokens` tokens and one pass of the model checks them (see `SpeculativeGenerator`). Under
/// load the sequences share plain decode steps instead, which make better use of each weight read than a lone
/// sequence's proposals do.
public final class BatchScheduler: @unchecked Sendable {
    public let model: LanguageModel
    public let configuration: SchedulerConfiguration
    /// The speculative draft model (same vocabulary), used only by the model thread.
    public let draft: LanguageModel?
    /// Touched only by the model thread.
    private let prefixCache: PrefixCache?
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [ScheduledRequest] = []
    private var activeCount = 0
    private var stopping = false
    private var cancelOnStop = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    private var stepCount = 0
    private var rowCount = 0
    private var prefixStatistics = PrefixCacheStatistics()

    public convenience init(model: LanguageModel, configuration: SchedulerConfiguration = SchedulerConfiguration()) {
        self.init(model: model, configuration: configuration, checkedDraft: nil)
    }

    /// A scheduler that decodes a lone sequence speculatively with `draft`; throws when the draft does not share the
    /// model's vocabulary.
    public convenience init(model: LanguageModel, configuration: SchedulerConfiguration = SchedulerConfiguration(),
                            draft: LanguageModel) throws(EngineError) {
        try SpeculativeGenerator.checkCompatible(target: model, draft: draft)
        // Verification rows must sum as a lone decode row does, so greedy output does not depend on the draft.
        model.scratch.uniformRowSums = true
        _ = draft.makeCache(capacity: configuration.contextLength)
        self.init(model: model, configuration: configuration, checkedDraft: draft)
    }

    private init(model: LanguageModel, configuration: SchedulerConfiguration, checkedDraft draft: LanguageModel?) {
        self.draft = draft
        self.model = model
        self.configuration = configuration
        self.prefixCache = configuration.prefixCacheBytes > 0 ? PrefixCache(budgetBytes: configuration.prefixCacheBytes) : nil
        // Size the model's attention buffers for the longest sequence once, before the loop runs.
        _ = model.makeCache(capacity: configuration.contextLength)
        let thread = Thread { [self] in runLoop() }
        thread.name = "groupqwen-scheduler"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a generation and returns its events: every token as it is sampled, then the result.
    /// Cancelling the consuming task or dropping the stream ends the sequence at the next step.
    ///
    /// Throws `overCapacity` when the queue is full, `shuttingDown` after `shutdown`, and
    /// `contextOverflow` or `invalidArgument` for requests that can never run.
    public func submit(promptIDs: [Int32], options: GenerationOptions) throws(EngineError) -> AsyncThrowingStream<GenerationEvent, Error> {
        try options.validate()
        try options.adapters.validate(for: model.configuration)
        guard !promptIDs.isEmpty else { throw .invalidArgument("the prompt is empty") }
        let vocabulary = model.vocabularySize
        if let bad = promptIDs.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            throw .invalidArgument("token id \(bad) is outside the vocabulary (0..<\(vocabulary))")
        }
        guard promptIDs.count + 1 <= configuration.contextLength else {
            throw .contextOverflow(needed: promptIDs.count + 1, capacity: configuration.contextLength)
        }
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, Error>.makeStream(bufferingPolicy: .unbounded)
        let request = ScheduledRequest(promptIDs: promptIDs, options: options, continuation: continuation)
        continuation.onTermination = { [weak self] _ in
            request.cancel()
            self?.wake()
        }
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw .shuttingDown }
        guard queue.count + activeCount < configuration.maxActiveSequences + configuration.maxQueuedRequests else {
            throw .overCapacity(queued: queue.count)
        }
        queue.append(request)
        condition.signal()
        return stream
    }

    /// Sequences generating and requests waiting, right now.
    public var load: (active: Int, queued: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (activeCount, queue.count)
    }

    /// Forward passes run and rows they carried since start (rows / steps = mean batch size).
    public var statistics: (steps: Int, rows: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (stepCount, rowCount)
    }

    /// What the prefix cache saved since start, and what it holds now.
    public var prefixCacheStatistics: PrefixCacheStatistics {
        condition.lock()
        defer { condition.unlock() }
        return prefixStatistics
    }

    /// Stops taking work. With `cancelInFlight` false, queued and running sequences finish first;
    /// otherwise they end now with `EngineError.shuttingDown`. Returns when the model thread has
    /// exited, after which the model is free.
    public func shutdown(cancelInFlight: Bool) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            cancelOnStop = cancelOnStop || cancelInFlight
            if exited {
                condition.unlock()
                waiter.resume()
            } else {
                exitWaiters.append(waiter)
                condition.signal()
                condition.unlock()
            }
        }
    }

    private func wake() {
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    // MARK: - Model thread

    private func runLoop() {
        var running: [RunningSequence] = []
        var rows: [BatchRow] = []
        var owners: [RunningSequence] = []
        while true {
            // Wait for work, take new requests into free slots, and notice shutdown.
            condition.lock()
            activeCount = running.count
            while running.isEmpty && queue.isEmpty && !stopping { condition.wait() }
            if stopping && cancelOnStop {
                let abandoned = queue
                queue.removeAll()
                condition.unlock()
                for r in abandoned { r.continuation.finish(throwing: EngineError.shuttingDown) }
                for s in running { s.request.continuation.finish(throwing: EngineError.shuttingDown) }
                running.removeAll()
                condition.lock()
            }
            if running.isEmpty && queue.isEmpty && stopping {
                activeCount = 0
                exited = true
                let waiters = exitWaiters
                exitWaiters.removeAll()
                condition.unlock()
                for w in waiters { w.resume() }
                return
            }
            var admitted: [ScheduledRequest] = []
            while running.count + admitted.count < configuration.maxActiveSequences, !queue.isEmpty {
                admitted.append(queue.removeFirst())
            }
            activeCount = running.count + admitted.count
            condition.unlock()

            for request in admitted where !request.isCancelled {
                let sequence = start(request)
                if sequence.isFinished {
                    sequence.finishWithoutTokens()
                } else {
                    running.append(sequence)
                }
            }
            running.removeAll { sequence in
                guard sequence.request.isCancelled else { return false }
                sequence.request.continuation.finish()
                keep(sequence)
                return true
            }
            guard !running.isEmpty else { continue }

            if let draft, running.count == 1, let sequence = running.first, canSpeculate(sequence) {
                if !speculate(sequence, draft: draft) || sequence.isFinished {
                    running.removeAll()
                    if sequence.isFinished { keep(sequence) }
                }
                continue
            }

            buildRows(running, rows: &rows, owners: &owners)
            let logits: Logits
            do {
                logits = try model.forward(rows)
            } catch {
                for s in running { s.request.continuation.finish(throwing: error) }
                running.removeAll()
                continue
            }
            condition.lock()
            stepCount += 1
            rowCount += rows.count
            condition.unlock()
            let now = ContinuousClock.now
            for (index, sequence) in owners.enumerated() {
                sequence.accept(logits: logits[index], now: now)
            }
            running.removeAll { sequence in
                guard sequence.isFinished else { return false }
                keep(sequence)
                return true
            }
        }
    }

    /// Whether the lone running `sequence` may take a speculative round: it is decoding, no waiting request could join
    /// it (none waits, or it holds the only slot), the request allows it (`SpeculativeDraft.supports`) and it has room
    /// for at least one proposal.
    private func canSpeculate(_ sequence: RunningSequence) -> Bool {
        guard sequence.isDecoding, !sequence.isFinished, SpeculativeDraft.supports(sequence.request.options),
              speculativeRoom(sequence) > 0 else { return false }
        condition.lock()
        defer { condition.unlock() }
        return queue.isEmpty || configuration.maxActiveSequences == 1
    }

    /// Proposals that still fit: the answer's `maxTokens` less one for the verified token, and the cache's room.
    private func speculativeRoom(_ s: RunningSequence) -> Int {
        min(s.request.options.maxTokens - s.state.ids.count - 1, s.cache.capacity - s.cache.count - 1)
    }

    /// One speculative round for `sequence`; false when a forward pass failed (the request then ended with the error).
    private func speculate(_ sequence: RunningSequence, draft: LanguageModel) -> Bool {
        let options = sequence.request.options
        if sequence.speculation == nil {
            sequence.speculation = SpeculativeDraft(model: draft, adapters: .none, capacity: sequence.cache.capacity,
                                                    sampling: options.sampling, maxProposals: configuration.draftTokens)
        }
        do {
            let base = sequence.cache.count
            let proposals = try sequence.speculation!.propose(context: sequence.request.promptIDs + sequence.state.ids,
                                                              count: min(sequence.speculation!.count, speculativeRoom(sequence)))
            let logits = try model.forward(([sequence.nextToken] + proposals).enumerated().map { i, token in
                BatchRow(token: token, position: base + i, cache: sequence.cache, wantsLogits: true, adapters: options.adapters)
            })
            condition.lock()
            stepCount += 1
            rowCount += proposals.count + 1
            condition.unlock()
            sequence.recordProposals(proposals.count)
            let now = ContinuousClock.now
            var kept = 0
            for i in 0...proposals.count {
                let proposal = i < proposals.count ? proposals[i] : nil
                let token = sequence.accept(logits: logits[i], now: now, chosen: sequence.speculation!.choice(at: i, logits: logits[i]),
                                            proposal: proposal, canContinue: base + i + 1 < sequence.cache.capacity)
                guard let token, token.id == proposal else { break }
                kept += 1
                if sequence.isFinished { break }
            }
            // Forget what the model and the draft read beyond the kept tokens.
            sequence.cache.truncate(to: base + 1 + kept)
            sequence.speculation!.endRound(kept: kept, base: base)
            return true
        } catch {
            sequence.request.continuation.finish(throwing: error)
            return false
        }
    }

    /// Prompt tokens always read again when a prefix is reused: the last one's logits give the first token, and with
    /// 8 rows the pass goes through the same tiled matrix kernels as a cold prompt pass, so it sums as that pass would
    /// (a lone row takes the decode kernels, whose rounding differs and can change a greedy answer at a near-tie).
    static let recomputedPromptTokens = 8

    /// A sequence for `request` with its cache, starting from the longest prefix the prefix cache shares with
    /// its prompt, less the last `recomputedPromptTokens`.
    private func start(_ request: ScheduledRequest) -> RunningSequence {
        let prompt = request.promptIDs
        let capacity = min(configuration.contextLength, prompt.count + max(1, request.options.maxTokens))
        let cache = model.makeCache(capacity: capacity)
        var reused = 0
        if let prefixCache, request.options.maxTokens > 0,
           let match = prefixCache.longestPrefix(of: prompt, adapters: request.options.adapters,
                                                 limit: prompt.count - Self.recomputedPromptTokens) {
            cache.copyPrefix(of: match.entry.cache, count: match.length)
            reused = match.length
        }
        if prefixCache != nil, request.options.maxTokens > 0 {
            condition.lock()
            prefixStatistics.lookups += 1
            if reused > 0 { prefixStatistics.hits += 1 }
            prefixStatistics.cachedTokens += reused
            prefixStatistics.computedTokens += prompt.count - reused
            condition.unlock()
        }
        return RunningSequence(request: request, cache: cache, tokenizer: model.tokenizer, cachedPromptTokens: reused)
    }

    /// Offers a finished or abandoned sequence's keys and values to the prefix cache.
    private func keep(_ sequence: RunningSequence) {
        guard let prefixCache else { return }
        prefixCache.store(tokens: sequence.cachedTokens, adapters: sequence.request.options.adapters,
                          cache: sequence.cache, model: model)
        condition.lock()
        prefixStatistics.bytes = prefixCache.byteCount
        prefixStatistics.entries = prefixCache.entryCount
        condition.unlock()
    }

    /// One row per decoding sequence, then prompt slices in arrival order up to the prefill budget.
    private func buildRows(_ running: [RunningSequence], rows: inout [BatchRow], owners: inout [RunningSequence]) {
        rows.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true)
        for s in running where s.isDecoding {
            rows.append(BatchRow(token: s.nextToken, position: s.cache.count, cache: s.cache, wantsLogits: true,
                                 adapters: s.request.options.adapters))
            owners.append(s)
        }
        var budget = configuration.prefillTokensPerStep
        for s in running where !s.isDecoding && budget > 0 {
            let prompt = s.request.promptIDs
            let end = min(prompt.count, s.prefilled + budget)
            for position in s.prefilled..<end {
                let last = position == prompt.count - 1
                rows.append(BatchRow(token: prompt[position], position: position, cache: s.cache, wantsLogits: last,
                                     adapters: s.request.options.adapters))
                if last { owners.append(s) }
            }
            budget -= end - s.prefilled
            s.prefilled = end
        }
    }
}

/// A request waiting for, or holding, a slot.
final class ScheduledRequest: @unchecked Sendable {
    let promptIDs: [Int32]
    let options: GenerationOptions
    let continuation: AsyncThrowingStream<GenerationEvent, Error>.Continuation
    let submitted = ContinuousClock.now
    private let lock = NSLock()
    private var cancelled = false

    init(promptIDs: [Int32], options: GenerationOptions, continuation: AsyncThrowingStream<GenerationEvent, Error>.Continuation) {
        self.promptIDs = promptIDs
        self.options = options
        self.continuation = continuation
    }

    var isCancelled: Bool { lock.withLock { cancelled } }
    func cancel() { lock.withLock { cancelled = true } }
}
