import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension ServerTests {
    @Suite("Semantic cache endpoint")
    struct CacheEndpointTests {
        static func app(cache: SemanticCache) -> some ApplicationProtocol {
            GroupQwenServer.makeApplication(configuration: TestServer.configuration(), pool: TestServer.pool, managesPool: false, cache: cache)
        }

        static func ask(_ question: String, extra: String = "") -> String {
            let message = String(decoding: try! JSONEncoder().encode(question), as: UTF8.self)
            return #"{"model":"smollm2-135m","max_tokens":8,"temperature":0,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":\#(message)}]\#(extra)}"#
        }

        static let cacheHeader = HTTPField.Name("X-GroupQwen-Cache")!

        @Test("a miss is stored; a paraphrase then hits (whole and streamed); bypass, tenants, stats and clearing")
        func hitMissBypass() async throws {
            let cache = try await SemanticCache(configuration: SemanticCacheConfiguration())
            try await Self.app(cache: cache).test(.router) { client in
                let first = try await client.post("/v1/chat/completions", json: Self.ask("What is the capital of France?"))
                #expect(first.status == .ok, "\(first.text)")
                #expect(first.headers[Self.cacheHeader] == "miss")
                let content = ((first.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
                for _ in 0..<100 where await cache.count == 0 { try await Task.sleep(for: .milliseconds(20)) }
                #expect(await cache.count == 1)

                let hit = try await client.post("/v1/chat/completions", json: Self.ask("Which city is France's capital?"))
                #expect(hit.headers[Self.cacheHeader] == "hit")
                #expect(((hit.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String == content)
                let info = hit.json["groupqwen"] as? [String: Any] ?? [:]
                let cacheInfo = info["cache"] as? [String: Any] ?? [:]
                #expect(cacheInfo["hit"] as? Bool == true)
                #expect((cacheInfo["similarity"] as? Double ?? 0) > 0.9)
                #expect(hit.json["model"] as? String == "smollm2-135m")

                let stream = try await client.post("/v1/chat/completions", json: Self.ask("Which city is France's capital?", extra: #","stream":true"#))
                #expect(stream.headers[Self.cacheHeader] == "hit")
                let chunks = stream.events.dropLast().map(jsonObject)
                let text = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }.joined()
                #expect(text == content)
                #expect(stream.events.last == "[DONE]")
                #expect((chunks.last?["groupqwen"] as? [String: Any]) != nil)

                var bypass = HTTPFields()
                bypass[Self.cacheHeader] = "bypass"
                let skipped = try await client.post("/v1/chat/completions", json: Self.ask("What is the capital of France?"), headers: bypass)
                #expect(skipped.headers[Self.cacheHeader] == "bypass")
                let field = try await client.post("/v1/chat/completions", json: Self.ask("What is the capital of France?", extra: #","cache":false"#))
                #expect(field.headers[Self.cacheHeader] == "bypass")
                var tenant = HTTPFields()
                tenant[HTTPField.Name("X-GroupQwen-Tenant")!] = "someone-else"
                let other = try await client.post("/v1/chat/completions", json: Self.ask("What is the capital of France?"), headers: tenant)
                #expect(other.headers[Self.cacheHeader] == "miss")
                let unrelated = try await client.post("/v1/chat/completions", json: Self.ask("How do I bake sourdough bread?"))
                #expect(unrelated.headers[Self.cacheHeader] == "miss")

                let stats = try await client.execute(uri: "/v1/cache/stats", method: .get).json
                #expect(stats["enabled"] as? Bool == true)
                #expect(stats["hits"] as? Int == 2)
                #expect(stats["misses"] as? Int == 3)
                #expect((stats["mean_similarity"] as? Double ?? 0) > 0.9)
                #expect((stats["memory_bytes"] as? Int ?? 0) > 0)
                let cleared = try await client.execute(uri: "/v1/cache", method: .delete).json
                #expect((cleared["deleted"] as? Int ?? 0) >= 1)
                #expect(await cache.count == 0)
            }
        }
    }
}
