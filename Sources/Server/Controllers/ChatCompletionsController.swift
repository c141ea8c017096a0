import Engine
import Gateway
import Hummingbird
import Tokenizers

/// `POST /v1/chat/completions`.
struct ChatCompletionsController: Sendable {
    let state: ServerState

    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(ChatCompletionRequest.self, limit: state.configuration.limits.maxBodyBytes)
        let parameters = try RequestParameters(body.sampling, logprobs: body.logprobs ?? false,
                                               topLogprobs: body.topLogprobs, topLogprobsParam: "top_logprobs")
        guard !body.messages.isEmpty else {
            throw APIError.invalidParameter("'messages' must contain at least one message", param: "messages")
        }
        if let user = parameters.user { context.logger.info("chat completion for user '\(user)'") }
        try await state.requireServing()
        let model = try await state.pool.model(body.model)
        let messages = body.messages.map { ChatMessage(role: $0.templateRole, content: $0.content) }
        let jsonMode = body.responseFormat.flatMap { $0.kind == .text ? nil : JSONResponseMode(schema: $0.schema) }

        let promptIDs = try jsonMode.map { try $0.promptIDs(model: model, messages: messages, strict: false) }
            ?? model.chatPromptIDs(messages: messages)
        let options = try parameters.generationOptions(promptTokens: promptIDs.count, contextLength: model.contextLength,
                                                       defaultCap: state.configuration.limits.maxTokensDefault)
        let timeout = state.configuration.limits.requestTimeoutSeconds
        let reply = ChatReply(state: state, model: model, parameters: parameters, promptTokens: promptIDs.count,
                              id: state.makeID("chatcmpl"), created: state.now)

        if let jsonMode {
            // JSON mode buffers the whole answer so it can be validated; a stream gets it in one delta.
            let outputs = try await jsonMode.run(model: model, messages: messages, firstPromptIDs: promptIDs,
                                                 options: options, timeout: timeout)
            return parameters.stream ? reply.bufferedStream(outputs) : reply.response(outputs)
        }
        let streams = try GenerationRunner.submit(model: model, promptIDs: promptIDs, options: options)
        if parameters.stream { return reply.stream(streams, timeout: timeout) }
        return reply.response(try await GenerationRunner.collectAll(streams, timeout: timeout))
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

    func response(_ outputs: [ChoiceOutput]) -> Response {
        let choices = outputs.enumerated().map { index, output in
            ChatCompletionResponse.Choice(
                index: index, message: .init(content: output.text),
                logprobs: parameters.wantsLogprobs ? ChatLogprobs(tokens: output.tokens, tokenizer: model.tokenizer) : nil,
                finishReason: output.finishReasonText)
        }
        let body = ChatCompletionResponse(id: id, created: created, model: model.id, systemFingerprint: state.fingerprint,
                                          choices: choices, usage: Usage(promptTokens: promptTokens, outputs: outputs))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: JSONCoding.encode(body)))
    }

    func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model.id, systemFingerprint: state.fingerprint,
                            choices: choices, usage: usage, includeUsage: parameters.includeUsage)
    }

    func logprobs(_ tokens: [GeneratedToken]) -> ChatLogprobs? {
        parameters.wantsLogprobs ? ChatLogprobs(tokens: tokens, tokenizer: model.tokenizer) : nil
    }

    /// Streams tokens as they are generated.
    func stream(_ streams: [GenerationRunner.EventStream], timeout: Double?) -> Response {
        Response(status: .ok, headers: SSEWriter.headers, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
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
                    try await sse.send(chunk([.init(index: index, delta: .init(),
                                                    logprobs: pending[index].isEmpty ? nil : logprobs(pending[index]),
                                                    finishReason: output.finishReasonText)]))
                case let .failed(error):
                    failure = APIError.from(error)
                case let .timedOut(seconds):
                    failure = APIError.timeout(seconds: seconds)
                }
            }
            if let failure {
                try await sse.send(error: failure)
            } else if parameters.includeUsage {
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs)))
            }
            try await sse.finish()
        })
    }

    /// Streams already complete outputs (JSON mode): role, whole content, finish, usage.
    func bufferedStream(_ outputs: [ChoiceOutput]) -> Response {
        Response(status: .ok, headers: SSEWriter.headers, body: ResponseBody { writer in
            var sse = SSEWriter(writer)
            for (index, output) in outputs.enumerated() {
                try await sse.send(chunk([.init(index: index, delta: .init(role: "assistant", content: ""))]))
                try await sse.send(chunk([.init(index: index, delta: .init(content: output.text), logprobs: logprobs(output.tokens))]))
                try await sse.send(chunk([.init(index: index, delta: .init(), finishReason: output.finishReasonText)]))
            }
            if parameters.includeUsage {
                try await sse.send(chunk([], usage: Usage(promptTokens: promptTokens, outputs: outputs)))
            }
            try await sse.finish()
        })
    }
}
