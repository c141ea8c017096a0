import Engine
import Gateway
import Hummingbird

/// `POST /v1/completions`: continues a raw prompt (no chat template) with a named model: a configured one
/// or an adapter-model (`base:adapter`), plus the adapters of the `adapters` / `lora` fields.
struct CompletionsController: Sendable {
    let state: ServerState

    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(CompletionRequest.self, limit: state.configuration.limits.maxBodyBytes)
        let parameters = try RequestParameters(body.sampling, logprobs: body.logprobs != nil,
                                               topLogprobs: body.logprobs, topLogprobsParam: "logprobs")
        if let user = parameters.user { context.logger.debug("completion", metadata: ["user": .string(user)]) }
        try await state.requireServing()
        let catalog = await state.adapters.catalog
        guard let target = try ModelTarget.resolve(model: body.model, fields: body.adapterFields, state: state, catalog: catalog) else {
            throw APIError.modelNotFound(body.model, available: ModelTarget.availableModels(state.configuration.models, catalog))
        }
        let model = try await state.pool.model(target.base.id)
        let promptIDs = model.promptIDs(text: body.prompt)
        guard !promptIDs.isEmpty else { throw APIError.invalidParameter("'prompt' must not be empty", param: "prompt") }
        var options = try parameters.generationOptions(promptTokens: promptIDs.count, contextLength: model.contextLength,
                                                       defaultCap: state.configuration.limits.maxTokensDefault)
        for i in options.indices {
            if body.logprobs != nil { options[i].topLogprobs = parameters.topLogprobs }
            options[i].adapters = target.adapters.mix
        }
        let reply = CompletionReply(state: state, model: model, modelID: target.served.id, parameters: parameters,
                                    promptTokens: promptIDs.count, id: state.makeID("cmpl"), created: state.now)
        let timeout = state.configuration.limits.requestTimeoutSeconds
        let streams = try GenerationRunner.submit(model: model, promptIDs: promptIDs, options: options)
        if parameters.stream { return reply.stream(streams, timeout: timeout) }
        return reply.response(try await GenerationRunner.collectAll(streams, timeout: timeout))
    }
}

/// Formats one text completion, whole or as a stream of chunks.
struct CompletionReply: Sendable {
    let state: ServerState
    let model: LocalModel
    /// The id responses name: the model's, or the adapter-model's.
    let modelID: String
    let parameters: RequestParameters
    let promptTokens: Int
    let id: String
    let created: Int
    /// Whose quota the tokens are charged to (captured while the request's caller is known: streams finish later).
    let caller = APICaller.current

    private func document(_ choices: [CompletionResponse.Choice], usage: Usage?, writesUsage: Bool) -> CompletionResponse {
        CompletionResponse(id: id, created: created, model: modelID, systemFingerprint: state.fingerprint,
                           choices: choices, usage: usage, writesUsage: writesUsage)
    }

    private func charge(_ outputs: [ChoiceOutput]) {
        caller?.quota?.charge(tokens: promptTokens + outputs.reduce(0) { $0 + $1.completionTokens })
    }

    private func logprobs(_ tokens: [GeneratedToken], offset: Int = 0) -> CompletionLogprobs? {
        parameters.wantsLogprobs ? CompletionLogprobs(tokens: tokens, tokenizer: model.tokenizer, offset: offset) : nil
    }

    func response(_ outputs: [ChoiceOutput]) -> Response {
        let choices = outputs.enumerated().map { index, output in
            CompletionResponse.Choice(text: output.text, index: index, logprobs: logprobs(output.tokens),
                                      finishReason: output.finishReasonText)
        }
        let body = document(choices, usage: Usage(promptTokens: promptTokens, outputs: outputs), writesUsage: true)
        charge(outputs)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: JSONCoding.encode(body)))
    }

    func stream(_ streams: [GenerationRunner.EventStream], timeout: Double?) -> Response {
        Response(status: .ok, headers: SSEWriter.headers, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
            let includeUsage = parameters.includeUsage
            var pending = [[GeneratedToken]](repeating: [], count: streams.count)
            var sent = [String](repeating: "", count: streams.count)
            var outputs = [ChoiceOutput](repeating: ChoiceOutput(), count: streams.count)
            var failure: APIError?
            try await StreamRelay.relay(streams, timeout: timeout) { event in
                switch event {
                case let .token(index, token):
                    pending[index].append(token)
                    guard !token.text.isEmpty else { return }
                    let offset = sent[index].count
                    sent[index] += token.text
                    try await sse.send(document([.init(text: token.text, index: index, logprobs: logprobs(pending[index], offset: offset))],
                                                usage: nil, writesUsage: includeUsage))
                    pending[index].removeAll()
                case let .finished(index, output):
                    outputs[index] = output
                    var rest = ""
                    if output.text.count > sent[index].count, output.text.hasPrefix(sent[index]) {
                        rest = String(output.text.dropFirst(sent[index].count))
                    }
                    try await sse.send(document([.init(text: rest, index: index,
                                                       logprobs: pending[index].isEmpty ? nil : logprobs(pending[index], offset: sent[index].count),
                                                       finishReason: output.finishReasonText)],
                                                usage: nil, writesUsage: includeUsage))
                case let .failed(error):
                    failure = APIError.from(error)
                case let .timedOut(seconds):
                    failure = APIError.timeout(seconds: seconds)
                }
            }
            charge(outputs)
            if let failure {
                try await sse.send(error: failure)
            } else if includeUsage {
                try await sse.send(document([], usage: Usage(promptTokens: promptTokens, outputs: outputs), writesUsage: true))
            }
            try await sse.finish()
        })
    }
}
