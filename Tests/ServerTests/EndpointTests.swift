import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension ServerTests {
    @Suite("Models, health and text completions")
    struct EndpointTests {
        @Test("/health is 200 ok when ready, 503 loading while preloading")
        func health() async throws {
            try await TestServer.app().test(.router) { client in
                let response = try await client.execute(uri: "/health", method: .get)
                #expect(response.status == .ok)
                #expect(response.json["status"] as? String == "ok")
            }
            let state = ServerState(configuration: TestServer.configuration(), pool: TestServer.pool, starting: true)
            try await Application(router: GroupQwenServer.makeRouter(state: state)).test(.router) { client in
                let loading = try await client.execute(uri: "/health", method: .get)
                #expect(loading.status == .serviceUnavailable)
                #expect(loading.json["status"] as? String == "loading")
                state.markReady()
                #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            }
        }

        @Test("/v1/models lists the configured models with their state")
        func models() async throws {
            try await TestServer.app().test(.router) { client in
                let list = try await client.execute(uri: "/v1/models", method: .get)
                #expect(list.status == .ok)
                #expect(list.json["object"] as? String == "list")
                let data = try #require(list.json["data"] as? [[String: Any]])
                let model = try #require(data.first { $0["id"] as? String == "smollm2-135m" })
                #expect(model["object"] as? String == "model")
                #expect(model["owned_by"] as? String == "groupqwen")
                #expect(model["created"] is Int)
                #expect(["available", "loading", "loaded"].contains(model["state"] as? String ?? ""))
                #expect(model["tier"] is Int)
                #expect(model["labels"] is [String])
                let one = try await client.execute(uri: "/v1/models/smollm2-135m", method: .get)
                #expect(one.status == .ok)
                #expect(one.json["id"] as? String == "smollm2-135m")
            }
        }

        @Test("text completion, whole and streamed")
        func completions() async throws {
            try await TestServer.app().test(.router) { client in
                let body = #"{"model":"smollm2-135m","prompt":"The capital of France is","max_tokens":6,"temperature":0,"logprobs":2}"#
                let response = try await client.post("/v1/completions", json: body)
                #expect(response.status == .ok, "\(response.text)")
                let json = response.json
                #expect((json["id"] as? String)?.hasPrefix("cmpl-") == true)
                #expect(json["object"] as? String == "text_completion")
                let choice = try #require((json["choices"] as? [[String: Any]])?.first)
                let text = try #require(choice["text"] as? String)
                #expect(!text.isEmpty)
                let logprobs = try #require(choice["logprobs"] as? [String: Any])
                let tokens = try #require(logprobs["tokens"] as? [String])
                #expect((logprobs["token_logprobs"] as? [Double])?.count == tokens.count)
                #expect((logprobs["top_logprobs"] as? [[String: Double]])?.allSatisfy { $0.count <= 2 && !$0.isEmpty } == true)
                let usage = try #require((json["usage"] as? [String: Any])?.compactMapValues { $0 as? Int })
                #expect(usage["completion_tokens"] == 6 || choice["finish_reason"] as? String == "stop")

                let streamed = try await client.post("/v1/completions", json: body.replacingOccurrences(of: #","logprobs":2"#, with: #","stream":true,"stream_options":{"include_usage":true}"#))
                let events = streamed.events
                #expect(events.last == "[DONE]")
                let chunks = events.dropLast().map(jsonObject)
                #expect(chunks.allSatisfy { $0["object"] as? String == "text_completion" })
                let pieces = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }
                #expect(pieces.joined() == text)
                #expect((chunks.last?["usage"] as? [String: Any])?.compactMapValues({ $0 as? Int })["completion_tokens"] == usage["completion_tokens"])
            }
        }

        @Test("max_tokens defaults to the configured cap; request_timeout ends long generations")
        func limits() async throws {
            try await TestServer.app(limits: ServerLimits(maxTokensDefault: 3)).test(.router) { client in
                let response = try await client.post("/v1/completions", json: #"{"model":"smollm2-135m","prompt":"1, 2, 3,","temperature":0}"#)
                #expect((response.json["usage"] as? [String: Any])?.compactMapValues({ $0 as? Int })["completion_tokens"] == 3, "\(response.text)")
            }
            try await TestServer.app(limits: ServerLimits(requestTimeoutSeconds: 0.3)).test(.router) { client in
                let body = #"{"model":"smollm2-135m","prompt":"1, 2, 3,","max_tokens":450,"temperature":0}"#
                _ = try await client.post("/v1/completions", json: body).expectError(.gatewayTimeout, type: "server_error", code: "timeout")
                let streamed = try await client.post("/v1/completions", json: body.dropLast() + #","stream":true}"#)
                #expect(streamed.status == .ok)
                let events = streamed.events
                #expect(events.last == "[DONE]")
                let error = jsonObject(events[events.count - 2])["error"] as? [String: Any]
                #expect(error?["code"] as? String == "timeout", "\(streamed.text.suffix(300))")
            }
        }
    }
}
