import Engine
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension Sequence where Self: Sendable, Element: Sendable {
    /// The elements as an async sequence.
    var asAsyncStream: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}

extension ServerTests {
    @Suite("Errors")
    struct ErrorTests {
        @Test("malformed JSON is a 400 invalid_request_error")
        func malformedJSON() async throws {
            try await TestServer.app().test(.router) { client in
                let error = try await client.post("/v1/chat/completions", json: #"{"model": "smollm2-135m", "messages": [}"#)
                    .expectError(.badRequest, code: "invalid_json")
                #expect(error["param"] is NSNull)
                _ = try await client.post("/v1/chat/completions", json: "").expectError(.badRequest)
                _ = try await client.post("/v1/chat/completions", json: "[1,2]").expectError(.badRequest)
                // Deep nesting is refused by the decoder's depth limit, not by a stack overflow.
                let deep = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
                _ = try await client.post("/v1/chat/completions", json: deep).expectError(.badRequest)
                let deepSchema = #"{"model":"smollm2-135m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"schema":"# + String(repeating: #"{"a":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_000) + "}}}"
                _ = try await client.post("/v1/chat/completions", json: deepSchema).expectError(.badRequest)
            }
        }

        @Test("invalid parameters name the parameter")
        func invalidParameters() async throws {
            try await TestServer.app().test(.router) { client in
                let cases: [(String, String)] = [
                    (bareChat(#""temperature":2.5"#), "temperature"),
                    (chatBody(extra: #","top_p":0"#), "top_p"),
                    (chatBody(extra: #","n":9"#), "n"),
                    (chatBody(extra: #","presence_penalty":-3"#), "presence_penalty"),
                    (chatBody(extra: #","frequency_penalty":2.5"#), "frequency_penalty"),
                    (bareChat(#""max_tokens":0"#), "max_tokens"),
                    (bareChat(#""max_completion_tokens":-1"#), "max_completion_tokens"),
                    (chatBody(extra: #","logprobs":true,"top_logprobs":21"#), "top_logprobs"),
                    (chatBody(extra: #","stop":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]"#), "stop"),
                    (bareChat(#""temperature":"hot""#), "temperature"),
                    (bareChat(#""seed":"x""#), "seed"),
                    (chatBody(extra: #","response_format":{"type":"xml"}"#), "response_format.type"),
                    (#"{"model":"smollm2-135m","messages":[]}"#, "messages"),
                    (#"{"model":"smollm2-135m"}"#, "messages"),
                    (#"{"model":42,"messages":[{"role":"user","content":"hi"}]}"#, "model"),
                    (#"{"model":"smollm2-135m","messages":[{"role":"wizard","content":"hi"}]}"#, "messages[0].role"),
                    (#"{"model":"smollm2-135m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}"#, "messages[0].content[0].image_url"),
                    (#"{"model":"smollm2-135m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}"#, "messages[0].content[0]"),
                    (#"{"model":"smollm2-135m","messages":[{"role":"user","content":42}]}"#, "messages[0].content"),
                ]
                for (body, param) in cases {
                    _ = try await client.post("/v1/chat/completions", json: body).expectError(.badRequest, param: param)
                }
                _ = try await client.post("/v1/completions", json: #"{"model":"smollm2-135m","prompt":["a","b"]}"#)
                    .expectError(.badRequest, param: "prompt")
                _ = try await client.post("/v1/completions", json: #"{"model":"smollm2-135m","prompt":"a","logprobs":30}"#)
                    .expectError(.badRequest, param: "logprobs")
            }
        }

        @Test("an image sent to a text model is a 400 naming the vision capability; a bad image names its part")
        func imagePartsNeedVision() async throws {
            try await TestServer.app().test(.router) { client in
                let gif = "R0lGODlhAQABAAAAACw="   // a GIF header: 1 × 1 pixels
                let body = #"{"model":"smollm2-135m","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/gif;base64,"# + gif + #""}}]}]}"#
                let error = try await client.post("/v1/chat/completions", json: body).expectError(.badRequest, param: "model")
                #expect((error["message"] as? String)?.contains("'vision' capability") == true, "\(error)")
                let bad = #"{"model":"smollm2-135m","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:,"}}]}]}"#
                let invalid = try await client.post("/v1/chat/completions", json: bad).expectError(.badRequest, param: "messages[0].content[1].image_url")
                #expect((invalid["message"] as? String)?.contains("base64") == true, "\(invalid)")
            }
        }

        @Test("unknown model is a 404 model_not_found")
        func unknownModel() async throws {
            try await TestServer.app().test(.router) { client in
                let body = chatBody().replacingOccurrences(of: "smollm2-135m", with: "gpt-17")
                _ = try await client.post("/v1/chat/completions", json: body).expectError(.notFound, param: "model", code: "model_not_found")
                _ = try await client.post("/v1/completions", json: #"{"model":"gpt-17","prompt":"hi"}"#)
                    .expectError(.notFound, code: "model_not_found")
                _ = try await client.execute(uri: "/v1/models/gpt-17", method: .get).expectError(.notFound, code: "model_not_found")
            }
        }

        @Test("bodies over the limit are a 413, by Content-Length or while reading")
        func oversizedBody() async throws {
            try await TestServer.app(maxBodyBytes: 200).test(.router) { client in
                let big = chatBody(String(repeating: "x", count: 400))
                _ = try await client.post("/v1/chat/completions", json: big).expectError(.contentTooLarge)
                // A small body still passes.
                let ok = try await client.post("/v1/chat/completions", json: chatBody("Hi"))
                #expect(ok.status == .ok, "\(ok.text)")
            }
            // Without Content-Length (a chunked upload) the limit holds while the body is collected.
            let chunks = (0..<5).map { _ in ByteBuffer(string: String(repeating: "y", count: 64)) }
            let body = RequestBody(asyncSequence: chunks.asAsyncStream)
            await #expect(throws: APIError.bodyTooLarge(limit: 200)) {
                _ = try await BodyLimitMiddleware<ServerRequestContext>.collect(body, limit: 200)
            }
            let small = try await BodyLimitMiddleware<ServerRequestContext>.collect(RequestBody(asyncSequence: Array(chunks.prefix(3)).asAsyncStream), limit: 200)
            #expect(small.readableBytes == 192)
        }

        @Test("a prompt longer than the context is context_length_exceeded")
        func contextOverflow() async throws {
            try await TestServer.app().test(.router) { client in
                let long = String(repeating: "hello world ", count: 400)
                _ = try await client.post("/v1/chat/completions", json: chatBody(long))
                    .expectError(.badRequest, code: "context_length_exceeded")
                _ = try await client.post("/v1/completions", json: #"{"model":"smollm2-135m","prompt":"\#(long)"}"#)
                    .expectError(.badRequest, code: "context_length_exceeded")
            }
        }

        @Test("unknown route is a 404 and a wrong method a 405, both OpenAI-shaped")
        func routes() async throws {
            try await TestServer.app().test(.router) { client in
                _ = try await client.execute(uri: "/v1/nothing", method: .get).expectError(.notFound, code: "not_found")
                _ = try await client.execute(uri: "/", method: .post).expectError(.notFound)
                let wrong = try await client.execute(uri: "/v1/chat/completions", method: .get)
                _ = wrong.expectError(.methodNotAllowed, code: "method_not_allowed")
                #expect(wrong.headers[.allow] == "POST")
                _ = try await client.post("/v1/models", json: "{}").expectError(.methodNotAllowed)
            }
        }

        @Test("with api_keys a bearer key is required (401 otherwise); /health stays open")
        func authentication() async throws {
            try await TestServer.app(apiKeys: ["sk-test-1", "sk-test-2"]).test(.router) { client in
                _ = try await client.execute(uri: "/v1/models", method: .get).expectError(.unauthorized, code: "invalid_api_key")
                _ = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer nope"])
                    .expectError(.unauthorized, code: "invalid_api_key")
                _ = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Basic sk-test-1"])
                    .expectError(.unauthorized)
                _ = try await client.post("/v1/chat/completions", json: chatBody()).expectError(.unauthorized)
                let ok = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sk-test-2"])
                #expect(ok.status == .ok)
                let health = try await client.execute(uri: "/health", method: .get)
                #expect(health.status == .ok)
            }
        }

        @Test("scheduler and pool errors map to 429 / 503 with Retry-After")
        func errorMapping() {
            let busy = APIError.from(EngineError.overCapacity(queued: 32))
            #expect(busy.status == .tooManyRequests)
            #expect(busy.retryAfter == 1)
            #expect(busy.response().headers[.retryAfter] == "1")
            #expect(APIError.from(EngineError.shuttingDown).status == .serviceUnavailable)
            #expect(APIError.from(GatewayError.shuttingDown).response().headers[.retryAfter] != nil)
            let memory = APIError.from(GatewayError.insufficientMemory(model: "m", neededBytes: 1 << 30, budgetBytes: 1 << 20))
            #expect(memory.status == .serviceUnavailable)
            #expect(APIError.from(EngineError.contextOverflow(needed: 10, capacity: 5)).code == "context_length_exceeded")
            #expect(APIError.from(GatewayError.unknownModel("x", available: [])).status == .notFound)
        }

        @Test("while models preload, generation is a 503 model_loading")
        func loadingIs503() async throws {
            let state = ServerState(configuration: TestServer.configuration(), pool: TestServer.pool, starting: true)
            try await Application(router: GroupQwenServer.makeRouter(state: state)).test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: chatBody())
                _ = response.expectError(.serviceUnavailable, type: "server_error", code: "model_loading")
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }
}
