import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// Two real tiers: tier 0 is the random-weight qwen3 fixture (nearly flat distributions, so its answers
/// always have low confidence), tier 1 is SmolLM2-135M; plus a tier-0 model whose file does not exist.
/// Tier 1 starts at complexity 0.3.
enum RoutingTestServer {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/qwen3-tiny-random.gguf").path
    static let tiny = ServedModel(id: "tiny", source: fixture, contextLength: 64, tier: 0, maxConcurrent: 2)
    static let smol = ServedModel(id: "smol", source: "smollm2-135m", contextLength: 512, tier: 1, maxConcurrent: 2)
    static let broken = ServedModel(id: "broken", source: "/nonexistent/model.gguf", tier: 0)
    static let pool = ModelPool(configuration: ModelPoolConfiguration(models: [tiny, smol, broken], keepAlive: nil, fetchMissing: false))

    static func app(models: [ServedModel] = [tiny, smol]) -> some ApplicationProtocol {
        var routing = RoutingConfiguration()
        routing.tierThresholds = [0.3]
        let configuration = ServerConfiguration(models: models, keepAliveSeconds: nil, fetchMissing: false, routing: routing)
        return GroupQwenServer.makeApplication(configuration: configuration, pool: pool, managesPool: false)
    }

    static func chat(_ content: String, model: String? = nil, maxTokens: Int = 6, extra: String = "") -> String {
        let message = String(decoding: try! JSONEncoder().encode(content), as: UTF8.self)
        let modelField = model.map { #""model":"\#($0)","# } ?? ""
        return #"{\#(modelField)"max_tokens":\#(maxTokens),"temperature":0,"messages":[{"role":"user","content":\#(message)}]\#(extra)}"#
    }
}

extension TestResponse {
    var routing: [String: Any] { json["groupqwen"] as? [String: Any] ?? [:] }
    var escalations: [[String: Any]] { routing["escalations"] as? [[String: Any]] ?? [] }
}

extension ServerTests {
    @Suite("Routing")
    struct RoutingEndpointTests {
        static let complex = "Explain step by step why merge sort is stable, then write a function for it."

        @Test("a simple prompt starts at the small tier; its low-confidence answer escalates to the next")
        func lowConfidenceEscalates() async throws {
            try await RoutingTestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: RoutingTestServer.chat("Hi!"))
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.headers[HTTPField.Name("X-GroupQwen-Model")!] == "smol")
                #expect(response.headers[HTTPField.Name("X-GroupQwen-Tier")!] == "1")
                #expect(response.headers[HTTPField.Name("X-GroupQwen-Cache")!] == "bypass")
                #expect(response.json["model"] as? String == "smol")
                let steps = response.escalations
                #expect(steps.count == 1)
                #expect(steps.first?["from"] as? String == "tiny")
                #expect(steps.first?["to"] as? String == "smol")
                #expect(steps.first?["reason"] as? String == "low_confidence")
                #expect((steps.first?["confidence"] as? Double ?? 1) < 0.35)
                let r = response.routing
                #expect(r["routed"] as? Bool == true)
                #expect((r["complexity"] as? Double ?? 1) < 0.3)
                #expect(r["latency_ms"] is Int)
                #expect((r["cache"] as? [String: Any])?["hit"] as? Bool == false)
            }
        }

        @Test("streams decide on their first tokens before sending; the last chunk carries the routing object")
        func streamEscalates() async throws {
            try await RoutingTestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: RoutingTestServer.chat("Hi!", extra: #","stream":true"#))
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-GroupQwen-Model")!] == "smol")
                let chunks = response.events.dropLast().map(jsonObject)
                #expect(chunks.allSatisfy { $0["model"] as? String == "smol" })
                #expect(chunks.dropLast().allSatisfy { $0["groupqwen"] == nil })
                let last = try #require(chunks.last?["groupqwen"] as? [String: Any])
                let steps = last["escalations"] as? [[String: Any]] ?? []
                #expect(steps.map { $0["reason"] as? String } == ["low_confidence"])
                #expect(response.events.last == "[DONE]")
            }
        }

        @Test("a complex prompt goes straight to the big tier")
        func complexPromptGoesBig() async throws {
            try await RoutingTestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: RoutingTestServer.chat(Self.complex, maxTokens: 400))
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.json["model"] as? String == "smol")
                #expect(response.escalations.isEmpty)
                #expect((response.routing["complexity"] as? Double ?? 0) >= 0.3)
            }
        }

        @Test("a prompt that does not fit the small model's context escalates")
        func contextOverflowEscalates() async throws {
            try await RoutingTestServer.app().test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: RoutingTestServer.chat("Hi!", maxTokens: 60))
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.escalations.first?["reason"] as? String == "context_overflow")
                #expect(response.json["model"] as? String == "smol")
            }
        }

        @Test("the device profile limits the tiers; a forced model is used as named")
        func profileAndForcedModel() async throws {
            try await RoutingTestServer.app().test(.router) { client in
                var headers = HTTPFields()
                headers[HTTPField.Name("X-GroupQwen-Device")!] = "mobile"
                let mobile = try await client.post("/v1/chat/completions", json: RoutingTestServer.chat(Self.complex), headers: headers)
                #expect(mobile.json["model"] as? String == "tiny", "\(mobile.text)")
                #expect(mobile.escalations.isEmpty)
                #expect(mobile.routing["profile"] as? String == "mobile")

                let field = try await client.post("/v1/chat/completions",
                                                  json: RoutingTestServer.chat("Hi!", extra: #","device_profile":"mobile""#))
                #expect(field.json["model"] as? String == "tiny")

                let forced = try await client.post("/v1/chat/completions", json: RoutingTestServer.chat("Hi!", model: "tiny"))
                #expect(forced.json["model"] as? String == "tiny")
                #expect(forced.routing["routed"] as? Bool == false)
                #expect(forced.escalations.isEmpty)

                let unknown = try await client.post("/v1/chat/completions",
                                                    json: RoutingTestServer.chat("Hi!", extra: #","device_profile":"watch""#))
                _ = unknown.expectError(.badRequest, param: "device_profile")
            }
        }

        @Test("a model that cannot be loaded is skipped")
        func brokenModelIsSkipped() async throws {
            try await RoutingTestServer.app(models: [RoutingTestServer.broken, RoutingTestServer.smol]).test(.router) { client in
                let response = try await client.post("/v1/chat/completions", json: RoutingTestServer.chat("Hi!"))
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.json["model"] as? String == "smol")
                #expect(response.escalations.first?["reason"] as? String == "backend_error")
                #expect(response.escalations.first?["from"] as? String == "broken")
            }
        }
    }
}
