import Gateway
import HTTPTypes
import Hummingbird

/// Answers from a semantic-cache hit, whole or as a short stream (role, the whole content, finish, usage),
/// in the name of the model that gave the stored answer.
struct CachedChatReply: Sendable {
    let state: ServerState
    let hit: CacheHit
    let parameters: RequestParameters
    /// The routing shown: the stored answer's model, no escalations, the cache hit.
    let routing: RoutingOutcome
    let recorder: ChatRecorder

    init(_ hit: CacheHit, plan: ChatPlan, parameters: RequestParameters, started: ContinuousClock.Instant,
         state: ServerState, recorder: ChatRecorder) {
        let answer = hit.answer
        // The plan's candidate of that name (an adapter-model's adapters included: the cache context holds
        // them, and for routed requests the adapter-models routing may pick), else the configured model.
        let candidate = plan.candidates.first { $0.id == answer.model }
        let served = candidate?.model ?? state.configuration.models.first { $0.id == answer.model }
            ?? ServedModel(id: answer.model, source: answer.model, tier: answer.tier)
        var routing = RoutingOutcome(plan: plan.routing, model: served, escalations: [], confidence: nil, started: started)
        routing.cache = .hit(similarity: hit.similarity)
        routing.base = candidate?.base.id
        routing.adapters = candidate?.adapters ?? .none
        routing.expert = plan.expert
        routing.systemPromptAdded = candidate?.systemPrompt != nil
        self.state = state
        self.hit = hit
        self.parameters = parameters
        self.routing = routing
        self.recorder = recorder
    }

    func response() -> Response {
        let answer = hit.answer, routing = routing, parameters = parameters, state = state
        let modelID = routing.model.id
        let id = state.makeID("chatcmpl"), created = state.now
        let output = ChoiceOutput(text: answer.text, finishReason: answer.finishReason == "stop" ? .stop : .length,
                                  completionTokens: answer.completionTokens)
        let usage = Usage(promptTokens: answer.promptTokens, outputs: [output])
        recorder.finished(routing, promptTokens: 0, completionTokens: 0, status: "ok", answer: nil)
        var headers = HTTPFields()
        for (name, value) in routing.headers { headers[HTTPField.Name(name)!] = value }
        if !parameters.stream {
            let body = ChatCompletionResponse(
                id: id, created: created, model: modelID, systemFingerprint: state.fingerprint,
                choices: [.init(index: 0, message: .init(content: answer.text), logprobs: nil, finishReason: answer.finishReason)],
                usage: usage, groupqwen: routing.info())
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: JSONCoding.encode(body)))
        }
        for field in SSEWriter.headers { headers[field.name] = field.value }
        @Sendable func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil, last: Bool = false) -> ChatCompletionChunk {
            ChatCompletionChunk(id: id, created: created, model: modelID, systemFingerprint: state.fingerprint, choices: choices,
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
