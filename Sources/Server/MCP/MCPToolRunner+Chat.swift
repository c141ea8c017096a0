import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import MCP
import NIOCore

extension MCPToolRunner {
    /// `chat`: builds a `/v1/chat/completions` body and answers it through the chat controller in-process (routing,
    /// escalation, semantic cache, metrics — as over HTTP), then returns the answer with the routing decision.
    func chat(_ arguments: MCPArguments) async throws -> CallTool.Result {
        try arguments.allow(only: ["prompt", "messages", "system", "model", "max_tokens", "temperature"])
        var messages: [[String: Any]] = []
        if let system = try arguments.string("system") { messages.append(["role": "system", "content": system]) }
        for (i, message) in (try arguments.array("messages") ?? []).enumerated() {
            guard let object = message.objectValue, let role = object["role"]?.stringValue,
                  let content = object["content"]?.stringValue else {
                throw arguments.invalid("'messages[\(i)]' must be an object with string 'role' and 'content'")
            }
            messages.append(["role": role, "content": content])
        }
        if let prompt = try arguments.string("prompt") { messages.append(["role": "user", "content": prompt]) }
        guard messages.contains(where: { ($0["role"] as? String) != "system" }) else {
            throw arguments.invalid("give 'prompt' (a user message) or 'messages' (a conversation)")
        }
        var body: [String: Any] = ["model": try arguments.string("model") ?? "auto", "messages": messages]
        if let maxTokens = try arguments.int("max_tokens") { body["max_tokens"] = maxTokens }
        if let temperature = try arguments.number("temperature") { body["temperature"] = temperature }

        let input = try ChatInput(json: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await ChatCompletionsController(state: state).respond(input, headers: caller.headers,
                                                                                 logger: service.logger)
        let data = try await CollectedBody.collect(response)
        guard let completion = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let choice = (completion["choices"] as? [[String: Any]])?.first,
              let message = choice["message"] as? [String: Any] else {
            throw APIError(status: .internalServerError, message: "the chat completion could not be read",
                           type: "server_error", code: "internal_error")
        }
        let answer = message["content"] as? String ?? ""
        let routing = completion["groupqwen"] as? [String: Any] ?? [:]
        let model = routing["model"] as? String ?? completion["model"] as? String ?? ""
        let tier = routing["tier"] as? Int ?? Int(response.headers[HTTPField.Name("X-GroupQwen-Tier")!] ?? "") ?? 0
        let cache = response.headers[HTTPField.Name("X-GroupQwen-Cache")!] ?? "bypass"
        var result: [String: Any] = ["answer": answer, "model": model, "tier": tier, "cache": cache,
                                     "finish_reason": choice["finish_reason"] ?? NSNull(), "routing": routing]
        if let usage = completion["usage"] { result["usage"] = usage }
        let summary = "\(answer)\n\n[model: \(model), tier \(tier), cache: \(cache)]"
        return try Self.result(object: result, summary: summary)
    }

    /// `embed`: MiniLM vectors of `texts` from the server's embedding model (as `/v1/embeddings`).
    func embed(_ arguments: MCPArguments) async throws -> CallTool.Result {
        try arguments.allow(only: ["texts"])
        guard let texts = try arguments.strings("texts"), !texts.isEmpty else { throw arguments.invalid("'texts' must list at least one text") }
        guard texts.count <= 256 else { throw arguments.invalid("'texts' may hold at most 256 texts (got \(texts.count))") }
        try await state.requireServing()
        let (vectors, tokens) = try await state.embeddings.embed(texts)
        let object: [String: Any] = ["model": EmbeddingProvider.modelID, "dimension": EmbeddingProvider.dimension,
                                     "embeddings": vectors.map { $0.map(Double.init) }, "usage": ["prompt_tokens": tokens]]
        return try Self.result(object: object, summary: "\(vectors.count) embedding(s) of \(EmbeddingProvider.dimension) dimensions")
    }
}
