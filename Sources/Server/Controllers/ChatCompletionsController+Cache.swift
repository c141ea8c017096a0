import Gateway
import HTTPTypes
import Hummingbird

extension ChatCompletionsController {
    /// `X-GroupQwen-Cache: bypass` on a request skips the semantic cache (as does `"cache": false`).
    static let cacheHeader = HTTPField.Name("X-GroupQwen-Cache")!
    /// Tenant of a request for the cache (with the API key and `user`): answers never cross tenants.
    static let tenantHeader = HTTPField.Name("X-GroupQwen-Tenant")!

    /// The cache key and query of a cacheable request; nil when the cache is off or bypassed, or the
    /// request wants something a stored answer cannot give (several choices, log-probabilities, JSON mode).
    func cacheQuery(_ body: ChatCompletionRequest, parameters: RequestParameters, request: Request,
                    plan: RoutingPlan) -> (context: CacheContext, query: String)? {
        guard state.cache != nil, body.cache != false, request.headers[Self.cacheHeader]?.lowercased() != "bypass",
              parameters.n == 1, !parameters.wantsLogprobs, body.responseFormat == nil else { return nil }
        let messages = body.messages.map { (role: $0.role, text: $0.content) }
        let tenant = "key=\(request.headers[.authorization] ?? "")|tenant=\(request.headers[Self.tenantHeader] ?? "")|user=\(parameters.user ?? "")"
        let target = plan.forced ? "model=\(plan.candidates[0].id)" : "auto/\(plan.profile)"
        let settings = "\(parameters.sampling)|max=\(parameters.requestedMaxTokens ?? -1)|stop=\(parameters.stop)|ignore_eos=\(parameters.ignoreEndOfGeneration)"
        return (CacheContext(tenant: tenant, messages: messages, target: target, settings: settings), CacheContext.query(messages))
    }

    /// Answers from a cache hit, whole or as a short stream (role, the whole content, finish, usage).
    func cachedResponse(_ hit: CacheHit, plan: RoutingPlan, parameters: RequestParameters, started: ContinuousClock.Instant) -> Response {
        let answer = hit.answer
        let served = state.configuration.models.first { $0.id == answer.model }
            ?? ServedModel(id: answer.model, source: answer.model, tier: answer.tier)
        var outcome = RoutingOutcome(plan: plan, model: served, escalations: [], confidence: nil, started: started)
        outcome.cache = .hit(similarity: hit.similarity)
        let routing = outcome
        let id = state.makeID("chatcmpl"), created = state.now
        let output = ChoiceOutput(text: answer.text, finishReason: answer.finishReason == "stop" ? .stop : .length,
                                  completionTokens: answer.completionTokens)
        let usage = Usage(promptTokens: answer.promptTokens, outputs: [output])
        state.metrics.recordCompletion(endpoint: "chat", model: served.id, tier: served.tier, status: "ok",
                                       promptTokens: 0, completionTokens: 0, duration: .now - started, cache: "hit")
        var headers = HTTPFields()
        for (name, value) in routing.headers { headers[HTTPField.Name(name)!] = value }
        if !parameters.stream {
            let body = ChatCompletionResponse(
                id: id, created: created, model: served.id, systemFingerprint: state.fingerprint,
                choices: [.init(index: 0, message: .init(content: answer.text), logprobs: nil, finishReason: answer.finishReason)],
                usage: usage, groupqwen: routing.info())
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: JSONCoding.encode(body)))
        }
        for field in SSEWriter.headers { headers[field.name] = field.value }
        @Sendable func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil, last: Bool = false) -> ChatCompletionChunk {
            ChatCompletionChunk(id: id, created: created, model: served.id, systemFingerprint: state.fingerprint, choices: choices,
                                usage: usage, includeUsage: parameters.includeUsage, groupqwen: last ? routing.info() : nil)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
            try await sse.send(chunk([.init(index: 0, delta: .init(role: "assistant", content: ""))]))
            try await sse.send(chunk([.init(index: 0, delta: .init(content: answer.text))]))
            try await sse.send(chunk([.init(index: 0, delta: .init(), finishReason: answer.finishReason)], last: !parameters.includeUsage))
            if parameters.includeUsage { try await sse.send(chunk([], usage: usage, last: true)) }
            try await sse.finish()
        })
    }
}
