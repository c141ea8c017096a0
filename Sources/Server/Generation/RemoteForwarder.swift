import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers a chat completion through a remote OpenAI-compatible backend: forwards the client's JSON with
/// the model name replaced, then returns the answer with GroupQwen's model id, routing headers and the
/// `groupqwen` object (streams: chunks passed through as they arrive, plus a last chunk carrying it).
///
/// With a `judge`, the answer's confidence is judged like a local one: the forwarded request asks for
/// `logprobs`, a whole answer is judged on all its tokens and a stream on its first `probeTokens` tokens
/// (held back until then), and a confidence below the threshold throws `RemoteLowConfidence` so the caller
/// escalates — nothing has been sent to the client yet. Log-probabilities the client did not ask for are
/// removed from what it receives. A backend that returns no log-probabilities is not judged.
struct RemoteForwarder: Sendable {
    let state: ServerState
    let backend: RemoteBackend
    var routing: RoutingOutcome
    /// When to escalate a remote answer; nil keeps whatever it answers.
    var judge: ConfidenceJudge?
    /// Records the finished answer (metrics; the semantic cache keeps a single choice that ended normally).
    let recorder: ChatRecorder

    /// Throws `RemoteBackendError` when the backend cannot answer and `RemoteLowConfidence` when the judge
    /// rejects its answer (the caller escalates in both cases).
    func chat(body: ByteBuffer, stream: Bool) async throws -> Response {
        var json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        json["model"] = backend.remoteModelName
        json.removeValue(forKey: "device_profile")
        let clientWantsLogprobs = json["logprobs"] as? Bool == true
        if judge != nil { json["logprobs"] = true }
        let forwarded = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        let response = try await backend.post(path: "/chat/completions", body: forwarded)
        guard response.status.code == 200 else {
            // A client error the remote found (bad parameter, context too long): pass it on as it is.
            let bytes = try await response.body.collect(upTo: 1 << 20)
            var headers = responseHeaders(routing)
            headers[.contentType] = response.headers.first(name: "content-type") ?? "application/json"
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: .init(byteBuffer: bytes))
        }
        if stream {
            return try await streamed(response, keepLogprobs: clientWantsLogprobs)
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        var answer = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        var choices = answer["choices"] as? [[String: Any]] ?? []
        var routing = routing
        if let judge {
            let logprobs = choices.flatMap(Self.tokenLogprobs)
            if !logprobs.isEmpty {
                let confidence = AnswerConfidence.of(logprobs: logprobs)
                if judge.rejects(confidence) { throw RemoteLowConfidence(confidence: confidence, tokens: logprobs.count) }
                routing.confidence = confidence
            }
        }
        if !clientWantsLogprobs {
            for i in choices.indices where choices[i]["logprobs"] != nil { choices[i]["logprobs"] = NSNull() }
            answer["choices"] = choices
        }
        answer["model"] = routing.model.id
        answer["groupqwen"] = Self.routingObject(routing)
        var headers = responseHeaders(routing)
        headers[.contentType] = "application/json"
        let usage = answer["usage"] as? [String: Any]
        let promptTokens = usage?["prompt_tokens"] as? Int ?? 0, completionTokens = usage?["completion_tokens"] as? Int ?? 0
        var output: ChoiceOutput?
        if choices.count == 1, let text = (choices[0]["message"] as? [String: Any])?["content"] as? String {
            output = Self.output(text: text, finishReason: choices[0]["finish_reason"], completionTokens: completionTokens)
        }
        recorder.finished(routing, promptTokens: promptTokens, completionTokens: completionTokens, status: "ok", answer: output)
        return Response(status: .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(data: try JSONSerialization.data(withJSONObject: answer))))
    }

    /// A finished remote answer as a choice (nil unless it ended with `stop` or `length`).
    static func output(text: String, finishReason: Any?, completionTokens: Int) -> ChoiceOutput? {
        switch finishReason as? String {
        case "stop": return ChoiceOutput(text: text, finishReason: .stop, completionTokens: completionTokens)
        case "length": return ChoiceOutput(text: text, finishReason: .length, completionTokens: completionTokens)
        default: return nil
        }
    }

    /// The token log-probabilities of one choice (`logprobs.content[].logprob`, whole answers and stream
    /// chunks alike); empty when the backend sent none.
    static func tokenLogprobs(_ choice: [String: Any]) -> [Float] {
        guard let content = (choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]] else { return [] }
        return content.compactMap { ($0["logprob"] as? NSNumber)?.floatValue }
    }

    func responseHeaders(_ routing: RoutingOutcome) -> HTTPFields {
        var headers = HTTPFields()
        for (name, value) in routing.headers { headers[HTTPField.Name(name)!] = value }
        return headers
    }

    static func routingObject(_ routing: RoutingOutcome) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(buffer: JSONCoding.encode(routing.info())))) ?? [:]
    }
}

/// A remote answer judged too unsure to keep (the caller escalates).
struct RemoteLowConfidence: Error, Sendable {
    var confidence: Double
    var tokens: Int
}
