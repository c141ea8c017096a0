import Engine
import Gateway
import HTTPTypes
import Hummingbird
import Tokenizers

/// `POST /v1/chat/completions`. With `model` absent or `auto` the router picks the model (see
/// `ChatCompletionsController+Routing.swift`); a configured id forces that model.
struct ChatCompletionsController: Sendable {
    let state: ServerState

    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let (body, rawBody) = try await request.decodeJSONBodyKeepingBytes(ChatCompletionRequest.self,
                                                                           limit: state.configuration.limits.maxBodyBytes)
        let parameters = try RequestParameters(body.sampling, logprobs: body.logprobs ?? false,
                                               topLogprobs: body.topLogprobs, topLogprobsParam: "top_logprobs")
        guard !body.messages.isEmpty else {
            throw APIError.invalidParameter("'messages' must contain at least one message", param: "messages")
        }
        if let user = parameters.user { context.logger.debug("chat completion", metadata: ["user": .string(user)]) }
        try await state.requireServing()
        let plan = try await routingPlan(body, parameters: parameters, request: request)
        let messages = body.messages.map { ChatMessage(role: $0.templateRole, content: $0.content) }
        let jsonMode = body.responseFormat.flatMap { $0.kind == .text ? nil : JSONResponseMode(schema: $0.schema) }
        let timeout = state.configuration.limits.requestTimeoutSeconds

        // Semantic cache: a stored answer to the same question in the same context ends the request here.
        var cacheDecision = CacheDecision.bypass
        var cacheEntry: (context: CacheContext, query: String, vector: [Float])?
        if let cache = state.cache, let (cacheContext, query) = cacheQuery(body, parameters: parameters, request: request, plan: plan) {
            let vector = try await state.cacheKeys.embed([query]).vectors[0]
            if let hit = await cache.lookup(vector, context: cacheContext) {
                return cachedResponse(hit, plan: plan, parameters: parameters, started: started)
            }
            cacheDecision = .miss
            cacheEntry = (cacheContext, query, vector)
        }
        let remember: @Sendable (ServedModel, Int, [ChoiceOutput]) -> Void = { [state, cacheEntry] served, promptTokens, outputs in
            guard let cache = state.cache, let entry = cacheEntry, let output = outputs.first, outputs.count == 1,
                  !output.text.isEmpty, output.finishReason != .cancelled else { return }
            let answer = CachedAnswer(text: output.text, model: served.id, tier: served.tier, finishReason: output.finishReasonText,
                                      promptTokens: promptTokens, completionTokens: output.completionTokens)
            Task { await cache.insert(entry.vector, query: entry.query, context: entry.context, answer: answer) }
        }

        var escalations: [Escalation] = []
        for (index, served) in plan.candidates.enumerated() {
            let isLast = index == plan.candidates.count - 1
            let next = isLast ? nil : plan.candidates[index + 1].id
            if let backend = state.remotes[served.id] {
                var outcome = RoutingOutcome(plan: plan, model: served, escalations: escalations, confidence: nil, started: started)
                outcome.cache = cacheDecision
                let judge = isLast || jsonMode != nil ? nil
                    : RemoteForwarder.Judge(threshold: state.configuration.routing.minConfidence,
                                            probeTokens: state.configuration.routing.probeTokens)
                do {
                    let forwarder = RemoteForwarder(state: state, backend: backend, routing: outcome, judge: judge,
                                                    onAnswer: { promptTokens, output in remember(served, promptTokens, [output]) })
                    return try await forwarder.chat(body: rawBody, stream: parameters.stream)
                } catch let unsure as RemoteLowConfidence {
                    escalations.append(Escalation(from: served.id, to: next, reason: .lowConfidence, confidence: unsure.confidence,
                                                  detail: parameters.stream ? "first \(unsure.tokens) tokens" : nil))
                    log(escalations[escalations.count - 1], context)
                    continue
                } catch let error as RemoteBackendError {
                    guard !isLast else { throw APIError.unavailable(error.description, code: "backend_unavailable", retryAfter: 10) }
                    escalations.append(Escalation(from: served.id, to: next, reason: .backendError, detail: error.description))
                    log(escalations[escalations.count - 1], context)
                    continue
                }
            }
            let model: LocalModel
            do {
                model = try await state.pool.model(served.id)
            } catch {
                guard !isLast else { throw error }
                escalations.append(Escalation(from: served.id, to: next, reason: .backendError, detail: "\(error)"))
                log(escalations[escalations.count - 1], context)
                continue
            }
            let promptIDs = try jsonMode.map { try $0.promptIDs(model: model, messages: messages, strict: false) }
                ?? model.chatPromptIDs(messages: messages)
            let wanted = promptIDs.count + (parameters.requestedMaxTokens ?? 1)
            if !isLast, wanted > model.contextLength {
                escalations.append(Escalation(from: served.id, to: next, reason: .contextOverflow,
                                              detail: "\(wanted) tokens needed, context holds \(model.contextLength)"))
                log(escalations[escalations.count - 1], context)
                continue
            }
            let options = try parameters.generationOptions(promptTokens: promptIDs.count, contextLength: model.contextLength,
                                                           defaultCap: state.configuration.limits.maxTokensDefault)
            let judged = !isLast && jsonMode == nil
            func reply(confidence: Double?) -> ChatReply {
                var routing = RoutingOutcome(plan: plan, model: served, escalations: escalations, confidence: confidence, started: started)
                routing.cache = cacheDecision
                return ChatReply(state: state, model: model, parameters: parameters, promptTokens: promptIDs.count,
                                 id: state.makeID("chatcmpl"), created: state.now, routing: routing,
                                 onFinish: { outputs in remember(served, promptIDs.count, outputs) })
            }

            if let jsonMode {
                // JSON mode buffers the whole answer so it can be validated; a stream gets it in one delta.
                let outputs = try await jsonMode.run(model: model, messages: messages, firstPromptIDs: promptIDs,
                                                     options: options, timeout: timeout)
                return parameters.stream ? reply(confidence: nil).bufferedStream(outputs) : reply(confidence: nil).response(outputs)
            }
            let streams = try GenerationRunner.submit(model: model, promptIDs: promptIDs, options: options)
            let threshold = state.configuration.routing.minConfidence
            if parameters.stream {
                // Judge the first tokens before anything is sent, so an escalation stays invisible.
                let probed = streams.map { ProbedStream($0, probeTokens: state.configuration.routing.probeTokens) }
                var first: [GeneratedToken] = []
                for p in probed { first += await p.firstTokens() }
                let confidence = AnswerConfidence.of(logprobs: first.map(\.logprob))
                if judged, confidence < threshold {
                    probed.forEach { $0.cancel() }
                    escalations.append(Escalation(from: served.id, to: next, reason: .lowConfidence, confidence: confidence,
                                                  detail: "first \(first.count) tokens"))
                    log(escalations[escalations.count - 1], context)
                    continue
                }
                return reply(confidence: confidence).stream(probed.map(\.events), timeout: timeout)
            }
            let outputs = try await GenerationRunner.collectAll(streams, timeout: timeout)
            let confidence = AnswerConfidence.of(logprobs: outputs.flatMap { $0.tokens.map(\.logprob) })
            if judged, confidence < threshold {
                escalations.append(Escalation(from: served.id, to: next, reason: .lowConfidence, confidence: confidence))
                log(escalations[escalations.count - 1], context)
                continue
            }
            return reply(confidence: confidence).response(outputs)
        }
        throw APIError.unavailable("no model could answer this request", code: "no_model", retryAfter: 5)
    }

    /// Logs an escalation (model ids and the reason; never the conversation).
    func log(_ escalation: Escalation, _ context: some RequestContext) {
        context.logger.info("escalation", metadata: [
            "from": .string(escalation.from), "to": .string(escalation.to ?? "-"), "reason": .string(escalation.reason.rawValue),
        ])
    }
}

/// Formats one chat completion, whole or as a stream of chunks.
struct ChatReply: Sendable {
    let state: ServerState
    let model: LocalModel
    let parameters: RequestParameters
    let promptTokens: Int
    let id: String
    let created: Int
    let routing: RoutingOutcome
    /// Called with the finished outputs (to store them in the semantic cache).
    var onFinish: @Sendable ([ChoiceOutput]) -> Void = { _ in }

    func response(_ outputs: [ChoiceOutput]) -> Response {
        let choices = outputs.enumerated().map { index, output in
            ChatCompletionResponse.Choice(
                index: index, message: .init(content: output.text),
                logprobs: parameters.wantsLogprobs ? ChatLogprobs(tokens: output.tokens, tokenizer: model.tokenizer) : nil,
                finishReason: output.finishReasonText)
        }
        let body = ChatCompletionResponse(id: id, created: created, model: model.id, systemFingerprint: state.fingerprint,
                                          choices: choices, usage: Usage(promptTokens: promptTokens, outputs: outputs),
                                          groupqwen: routing.info())
        record(outputs, status: "ok")
        var headers = routingHeaders
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: JSONCoding.encode(body)))
    }

    /// Counts the finished completion (tokens, latency, escalations) in the server's metrics.
    func record(_ outputs: [ChoiceOutput], status: String) {
        let metrics = state.metrics
        metrics.recordCompletion(endpoint: "chat", model: routing.model.id, tier: routing.model.tier, status: status,
                                 promptTokens: promptTokens, completionTokens: outputs.reduce(0) { $0 + $1.completionTokens },
                                 duration: .now - routing.started, cache: routing.cache.label)
        routing.escalations.forEach(metrics.recordEscalation)
        if status == "ok" { onFinish(outputs) }
    }

    /// `X-GroupQwen-Model`, `-Tier` and `-Cache`.
    var routingHeaders: HTTPFields {
        var headers = HTTPFields()
        for (name, value) in routing.headers { headers[HTTPField.Name(name)!] = value }
        return headers
    }

    /// One chunk; `last` adds the `groupqwen` routing object.
    func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil, last: Bool = false) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model.id, systemFingerprint: state.fingerprint,
                            choices: choices, usage: usage, includeUsage: parameters.includeUsage,
                            groupqwen: last ? routing.info() : nil)
    }

    private var streamHeaders: HTTPFields {
        var headers = SSEWriter.headers
        headers.append(contentsOf: routingHeaders)
        return headers
    }

    func logprobs(_ tokens: [GeneratedToken]) -> ChatLogprobs? {
        parameters.wantsLogprobs ? ChatLogprobs(tokens: tokens, tokenizer: model.tokenizer) : nil
    }

    /// Streams tokens as they are generated.
    func stream(_ streams: [GenerationRunner.EventStream], timeout: Double?) -> Response {
        Response(status: .ok, headers: streamHeaders, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
            var finished = 0
            for index in streams.indices {
                try await sse.send(chunk([.init(index: index, delta: .init(role: "assistant", content: ""))]))
            }
            var pending = [[GeneratedToken]](repeating: [], count: streams.count)
            var sent = [String](repeating: "", count: streams.count)
            var outputs = [ChoiceOutput](repeating: ChoiceOutput(), count: streams.count)
            var failure: APIError?
            try await StreamRelay.relay(streams, timeout: timeout) { event in
                switch event {
                case let .token(index, token):
                    pending[index].append(token)
                    guard !token.text.isEmpty else { return }
                    if sent.allSatisfy(\.isEmpty) { state.metrics.recordFirstToken(model: model.id, after: .now - routing.started) }
                    sent[index] += token.text
                    try await sse.send(chunk([.init(index: index, delta: .init(content: token.text),
                                                    logprobs: logprobs(pending[index]))]))
                    pending[index].removeAll()
                case let .finished(index, output):
                    outputs[index] = output
                    if output.text.count > sent[index].count, output.text.hasPrefix(sent[index]) {
                        let rest = String(output.text.dropFirst(sent[index].count))
                        try await sse.send(chunk([.init(index: index, delta: .init(content: rest), logprobs: logprobs(pending[index]))]))
                        pending[index].removeAll()
                    }
                    finished += 1
                    try await sse.send(chunk([.init(index: index, delta: .init(),
                                                    logprobs: pending[index].isEmpty ? nil : logprobs(pending[index]),
                                                    finishReason: output.finishReasonText)],
                                             last: finished == streams.count && !parameters.includeUsage))
                case let .failed(error):
                    failure = APIError.from(error)
                case let .timedOut(seconds):
                    failure = APIError.timeout(seconds: seconds)
                }
            }
            record(outputs, status: failure == nil ? "ok" : "error")
            if let failure {
                try await sse.send(error: failure)
            } else if parameters.includeUsage {
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs), last: true))
            }
            try await sse.finish()
        })
    }

    /// Streams already complete outputs (JSON mode): role, whole content, finish, usage.
    func bufferedStream(_ outputs: [ChoiceOutput]) -> Response {
        Response(status: .ok, headers: streamHeaders, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
            for (index, output) in outputs.enumerated() {
                try await sse.send(chunk([.init(index: index, delta: .init(role: "assistant", content: ""))]))
                try await sse.send(chunk([.init(index: index, delta: .init(content: output.text), logprobs: logprobs(output.tokens))]))
                try await sse.send(chunk([.init(index: index, delta: .init(), finishReason: output.finishReasonText)],
                                         last: index == outputs.count - 1 && !parameters.includeUsage))
            }
            record(outputs, status: "ok")
            if parameters.includeUsage {
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs), last: true))
            }
            try await sse.finish()
        })
    }
}
