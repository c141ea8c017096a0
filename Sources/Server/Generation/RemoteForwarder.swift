import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers a chat completion through a remote OpenAI-compatible backend: forwards the client's JSON with
/// the model name replaced, then returns the answer with GroupQwen's model id, routing headers and the
/// `groupqwen` object (streams: chunks passed through as they arrive, plus a last chunk carrying it).
struct RemoteForwarder: Sendable {
    let state: ServerState
    let backend: RemoteBackend
    let routing: RoutingOutcome

    /// Throws `RemoteBackendError` when the backend cannot answer (the caller escalates).
    func chat(body: ByteBuffer, stream: Bool) async throws -> Response {
        var json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        json["model"] = backend.remoteModelName
        json.removeValue(forKey: "device_profile")
        let forwarded = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        let response = try await backend.post(path: "/chat/completions", body: forwarded)
        var headers = HTTPFields()
        for (name, value) in routing.headers { headers[HTTPField.Name(name)!] = value }
        guard response.status.code == 200 else {
            // A client error the remote found (bad parameter, context too long): pass it on as it is.
            let bytes = try await response.body.collect(upTo: 1 << 20)
            headers[.contentType] = response.headers.first(name: "content-type") ?? "application/json"
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: .init(byteBuffer: bytes))
        }
        if !stream {
            let bytes = try await response.body.collect(upTo: 64 << 20)
            var answer = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
            answer["model"] = routing.model.id
            answer["groupqwen"] = routingObject()
            headers[.contentType] = "application/json"
            let usage = answer["usage"] as? [String: Any]
            record(promptTokens: usage?["prompt_tokens"] as? Int ?? 0, completionTokens: usage?["completion_tokens"] as? Int ?? 0)
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(data: try JSONSerialization.data(withJSONObject: answer))))
        }
        for field in SSEWriter.headers { headers[field.name] = field.value }
        let modelID = routing.model.id
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var pending = ""
            var lastID = ""
            var completionTokens = 0
            var promptTokens = 0
            for try await buffer in response.body {
                pending += String(buffer: buffer)
                while let end = pending.range(of: "\n\n") {
                    let event = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    guard event.hasPrefix("data: ") else { continue }
                    let payload = event.dropFirst(6)
                    if payload == "[DONE]" { break }
                    guard var chunk = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else { continue }
                    chunk["model"] = modelID
                    lastID = chunk["id"] as? String ?? lastID
                    if let usage = chunk["usage"] as? [String: Any] {
                        promptTokens = usage["prompt_tokens"] as? Int ?? promptTokens
                        completionTokens = usage["completion_tokens"] as? Int ?? completionTokens
                    }
                    try await writer.write(Self.event(chunk))
                }
            }
            record(promptTokens: promptTokens, completionTokens: completionTokens)
            let last: [String: Any] = ["id": lastID, "object": "chat.completion.chunk", "created": state.now,
                                       "model": modelID, "choices": [Any](), "groupqwen": routingObject()]
            try await writer.write(Self.event(last))
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        })
    }

    private func routingObject() -> Any {
        (try? JSONSerialization.jsonObject(with: Data(buffer: JSONCoding.encode(routing.info())))) ?? [:]
    }

    private func record(promptTokens: Int, completionTokens: Int) {
        state.metrics.recordCompletion(endpoint: "chat", model: routing.model.id, tier: routing.model.tier, status: "ok",
                                       promptTokens: promptTokens, completionTokens: completionTokens,
                                       duration: .now - routing.started, cache: "bypass")
        routing.escalations.forEach(state.metrics.recordEscalation)
    }

    private static func event(_ object: [String: Any]) -> ByteBuffer {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}
