import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import NIOCore

extension RemoteForwarder {
    /// Passes a remote stream through chunk by chunk with GroupQwen's model id, then a last chunk with the
    /// `groupqwen` object. With a judge, the chunks up to the first `probeTokens` tokens are read and judged
    /// before the response starts.
    func streamed(_ response: HTTPClientResponse, keepLogprobs: Bool) async throws -> Response {
        let reader = SSEPayloadReader(response.body)
        var held: [[String: Any]] = []
        var routing = routing
        if let judge {
            var logprobs: [Float] = []
            while logprobs.count < judge.probeTokens, let payload = try await reader.next() {
                guard let chunk = Self.parse(payload) else { continue }
                logprobs += (chunk["choices"] as? [[String: Any]] ?? []).flatMap(Self.tokenLogprobs)
                held.append(chunk)
            }
            if !logprobs.isEmpty {
                let confidence = AnswerConfidence.of(logprobs: logprobs)
                if judge.rejects(confidence) { throw RemoteLowConfidence(confidence: confidence, tokens: logprobs.count) }
                routing.confidence = confidence
            }
        }
        var headers = responseHeaders(routing)
        for field in SSEWriter.headers { headers[field.name] = field.value }
        let modelID = routing.model.id
        let heldChunks = UncheckedChunks(held)
        return Response(status: .ok, headers: headers, body: ResponseBody { [self, routing] writer in
            var lastID = ""
            var completionTokens = 0
            var promptTokens = 0
            var text = "", finishReason: Any?, choiceIndexes = Set<Int>()
            func relay(_ original: [String: Any]) async throws {
                var chunk = original
                for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                    choiceIndexes.insert(choice["index"] as? Int ?? 0)
                    text += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
                    if let reason = choice["finish_reason"], !(reason is NSNull) { finishReason = reason }
                }
                chunk["model"] = modelID
                if !keepLogprobs, var choices = chunk["choices"] as? [[String: Any]] {
                    for i in choices.indices where choices[i]["logprobs"] != nil { choices[i]["logprobs"] = NSNull() }
                    chunk["choices"] = choices
                }
                lastID = chunk["id"] as? String ?? lastID
                if let usage = chunk["usage"] as? [String: Any] {
                    promptTokens = usage["prompt_tokens"] as? Int ?? promptTokens
                    completionTokens = usage["completion_tokens"] as? Int ?? completionTokens
                }
                try await writer.write(Self.event(chunk))
            }
            for chunk in heldChunks.chunks { try await relay(chunk) }
            // A backend that dies mid-stream ends it with an error event (as a local failure does), never a hang or a
            // stream that looks complete.
            var interruption: String?
            do {
                while let payload = try await reader.next() {
                    if let chunk = Self.parse(payload) { try await relay(chunk) }
                }
                if !reader.sawDone { interruption = "the stream ended without [DONE]" }
            } catch {
                interruption = "\(error)"
            }
            if let interruption {
                recorder.finished(routing, promptTokens: promptTokens, completionTokens: completionTokens, status: "error", answer: nil)
                let failure = APIError(status: .badGateway, message: "the backend of '\(modelID)' stopped mid-stream: \(interruption)",
                                       type: "server_error", code: "backend_stream_interrupted")
                var event = ByteBuffer(string: "data: ")
                event.writeImmutableBuffer(JSONCoding.encode(failure.body))
                event.writeString("\n\n")
                try await writer.write(event)
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
                return
            }
            let output = choiceIndexes.count == 1
                ? Self.output(text: text, finishReason: finishReason, completionTokens: completionTokens) : nil
            recorder.finished(routing, promptTokens: promptTokens, completionTokens: completionTokens, status: "ok", answer: output)
            let last: [String: Any] = ["id": lastID, "object": "chat.completion.chunk", "created": state.now,
                                       "model": modelID, "choices": [Any](), "groupqwen": Self.routingObject(routing)]
            try await writer.write(Self.event(last))
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        })
    }

    static func parse(_ payload: Substring) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any]
    }

    static func event(_ object: [String: Any]) -> ByteBuffer {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}

/// Parsed JSON chunks (Foundation objects, immutable once read) carried into the response body.
private struct UncheckedChunks: @unchecked Sendable {
    let chunks: [[String: Any]]
    init(_ chunks: [[String: Any]]) { self.chunks = chunks }
}
