import Engine
import Gateway
import HTTPTypes
import Hummingbird

/// Formats one chat completion of a local model, whole or as a stream of chunks (`ChatReply+Streaming`),
/// and has the recorder record it once it is finished. `model` is the model that ran; responses name
/// `routing.model` (the same model, or the adapter-model `base:adapter`).
struct ChatReply: Sendable {
    let state: ServerState
    let model: LocalModel
    let parameters: RequestParameters
    let promptTokens: Int
    let id: String
    let created: Int
    let routing: RoutingOutcome
    let recorder: ChatRecorder
    /// The request's tools: answers are read for calls (`ChatReply+Tools`).
    var tools: ChatTools? = nil

    func response(_ outputs: [ChoiceOutput]) -> Response {
        let choices = outputs.enumerated().map { index, output in
            let (message, finishReason) = self.message(output)
            return ChatCompletionResponse.Choice(
                index: index, message: message,
                logprobs: parameters.wantsLogprobs ? ChatLogprobs(tokens: output.tokens, tokenizer: model.tokenizer) : nil,
                finishReason: finishReason)
        }
        let body = ChatCompletionResponse(id: id, created: created, model: routing.model.id, systemFingerprint: state.fingerprint,
                                          choices: choices, usage: Usage(promptTokens: promptTokens, outputs: outputs),
                                          groupqwen: routing.info(outputs: outputs))
        record(outputs, status: "ok")
        var headers = routingHeaders
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: JSONCoding.encode(body)))
    }

    /// Records the finished completion (metrics; a single `ok` answer goes to the semantic cache).
    func record(_ outputs: [ChoiceOutput], status: String) {
        recorder.finished(routing, promptTokens: promptTokens, outputs: outputs, status: status)
    }

    /// `X-GroupQwen-Model`, `-Tier`, `-Cache` and, with adapters, `-Adapter`.
    var routingHeaders: HTTPFields {
        var headers = HTTPFields()
        for (name, value) in routing.headers { headers[HTTPField.Name(name)!] = value }
        return headers
    }

    /// One chunk; `last` adds the `groupqwen` routing object (with what speculative decoding did for `outputs`).
    func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil, last: Bool = false,
               outputs: [ChoiceOutput] = []) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: routing.model.id, systemFingerprint: state.fingerprint,
                            choices: choices, usage: usage, includeUsage: parameters.includeUsage,
                            groupqwen: last ? routing.info(outputs: outputs) : nil)
    }

    func logprobs(_ tokens: [GeneratedToken]) -> ChatLogprobs? {
        parameters.wantsLogprobs ? ChatLogprobs(tokens: tokens, tokenizer: model.tokenizer) : nil
    }
}
