import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
@testable import Server
import Testing

extension ServerTests {
    @Suite("Web console")
    struct ConsoleTests {
        @Test("/ serves the embedded page with an ETag, a strict CSP and 304 on If-None-Match")
        func index() async throws {
            try await TestServer.app().test(.router) { client in
                let page = try await client.execute(uri: "/", method: .get)
                #expect(page.status == .ok)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.text.contains("/ui/"))
                let etag = try #require(page.headers[.eTag])
                let again = try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified)
                #expect(again.body.readableBytes == 0)
                let stale = try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: "\"other\""])
                #expect(stale.status == .ok)
            }
        }

        @Test("Every file the page and its modules refer to is embedded and served with its type")
        func referencesResolve() async throws {
            let assets = ConsoleAssets.embedded
            #expect(assets.embeddedCount > 1)
            let html = String(decoding: try #require(assets.asset("index.html")).bytes, as: UTF8.self)
            let linked = Self.matches(#"(?:src|href)="/ui/([^"]+)""#, in: html)
            #expect(!linked.isEmpty)
            let served = try await TestServer.app().test(.router) { client in
                var wanted = linked, seen = Set<String>()
                while let path = wanted.popLast() {
                    guard seen.insert(path).inserted else { continue }
                    let response = try await client.execute(uri: "/ui/" + path, method: .get)
                    #expect(response.status == .ok, "/ui/\(path) is referenced but not served")
                    #expect(response.headers[.contentType] == ConsoleAssets.contentType(of: path))
                    guard path.hasSuffix(".js") else { continue }
                    // Relative ES-module imports: `from "./x.js"` and `import("./x.js")`.
                    let directory = (path as NSString).deletingLastPathComponent
                    for spec in Self.matches(#"(?:from|import\()\s*["'](\.{1,2}/[^"']+)["']"#, in: response.text) {
                        wanted.append(((directory as NSString).appendingPathComponent(spec) as NSString).standardizingPath)
                    }
                }
                return seen.count
            }
            #expect(served > 1)
        }

        @Test("Paths outside the console, hidden files and unknown files are 404")
        func traversal() async throws {
            let assets = ConsoleAssets.embedded
            for path in ["../Package.swift", "js/../../x", ".git/config", "", "a//b", "nope.js"] {
                #expect(assets.asset(path) == nil, "\(path)")
            }
            try await TestServer.app().test(.router) { client in
                _ = try await client.execute(uri: "/ui/nope.js", method: .get).expectError(.notFound)
                _ = try await client.execute(uri: "/ui/%2e%2e/Package.swift", method: .get).expectError(.notFound)
            }
        }

        @Test("With api_keys the console's files are open but the API is not; ui: false serves no console")
        func keysAndSwitch() async throws {
            try await TestServer.app(apiKeys: ["k1"]).test(.router) { client in
                #expect(try await client.execute(uri: "/", method: .get).status == .ok)
                _ = try await client.execute(uri: "/v1/models", method: .get).expectError(.unauthorized)
                _ = try await client.execute(uri: "/v1/metrics/live", method: .get).expectError(.unauthorized)
                _ = try await client.execute(uri: MetricsWebSocket.path, method: .get).expectError(.unauthorized)
            }
            var configuration = TestServer.configuration()
            configuration.ui = false
            try await GroupQwenServer.makeApplication(configuration: configuration, pool: TestServer.pool, managesPool: false)
                .test(.router) { client in
                    _ = try await client.execute(uri: "/", method: .get).expectError(.notFound)
                    _ = try await client.execute(uri: "/ui/style.css", method: .get).expectError(.notFound)
                }
        }

        @Test("The metrics WebSocket upgrades only with a key: bearer subprotocol or Authorization header")
        func webSocketKeys() throws {
            let state = ServerState(configuration: TestServer.configuration(apiKeys: ["k1"]), pool: TestServer.pool, starting: false)
            let socket = MetricsWebSocket(state: state)
            func request(_ path: String = MetricsWebSocket.path, _ fields: HTTPFields = [:]) -> HTTPRequest {
                HTTPRequest(method: .get, scheme: nil, authority: "localhost", path: path, headerFields: fields)
            }
            func upgraded(_ result: ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>) -> HTTPFields? {
                if case let .upgrade(headers, _) = result { return headers }
                return nil
            }
            let good = "bearer." + Data("k1".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            let bad = "bearer." + Data("k2".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            #expect(upgraded(socket.shouldUpgrade(request())) == nil)
            #expect(upgraded(socket.shouldUpgrade(request(MetricsWebSocket.path, [.secWebSocketProtocol: "groupqwen.v1, \(bad)"]))) == nil)
            let headers = upgraded(socket.shouldUpgrade(request(MetricsWebSocket.path, [.secWebSocketProtocol: "groupqwen.v1, \(good)"])))
            #expect(headers?[.secWebSocketProtocol] == "groupqwen.v1")
            #expect(upgraded(socket.shouldUpgrade(request(MetricsWebSocket.path + "?x=1", [.authorization: "Bearer k1"]))) != nil)
            #expect(upgraded(socket.shouldUpgrade(request("/v1/models", [.authorization: "Bearer k1"]))) == nil)
            // Without keys configured anyone may watch.
            let open = MetricsWebSocket(state: ServerState(configuration: TestServer.configuration(), pool: TestServer.pool, starting: false))
            #expect(upgraded(open.shouldUpgrade(request())) != nil)
        }

        @Test("POST /v1/models/{id}/unload and /load change the model's state; unknown ids are 404")
        func loadUnload() async throws {
            try await TestServer.app().test(.router) { client in
                let unloaded = try await client.post("/v1/models/\(TestServer.modelID)/unload", json: "")
                #expect(unloaded.status == .ok)
                #expect(unloaded.json["state"] as? String == "available")
                let loaded = try await client.post("/v1/models/\(TestServer.modelID)/load", json: "")
                #expect(loaded.json["state"] as? String == "loaded")
                _ = try await client.post("/v1/models/nope/load", json: "").expectError(.notFound, code: "model_not_found")
            }
        }

        @Test("GET /v1/metrics/live counts completions and tokens, not its own polling")
        func liveSnapshot() async throws {
            try await TestServer.app().test(.router) { client in
                #expect(try await client.post("/v1/chat/completions", json: chatBody()).status == .ok)
                for _ in 0..<3 { _ = try await client.execute(uri: "/v1/metrics/live", method: .get) }
                let live = try await client.execute(uri: "/v1/metrics/live", method: .get).json
                let totals = live["totals"] as? [String: Any] ?? [:]
                #expect(live["type"] as? String == "metrics")
                #expect(totals["requests"] as? Int == 1)
                #expect(totals["completions"] as? Int == 1)
                #expect((totals["completion_tokens"] as? Int ?? 0) > 0)
                #expect((live["latency_ms"] as? [String: Any])?["p50"] is Double)
                let series = live["series"] as? [String: Any] ?? [:]
                #expect((series["points"] as? [Any])?.count == 60)
                let models = live["models"] as? [[String: Any]] ?? []
                #expect(models.first?["id"] as? String == TestServer.modelID)
            }
        }

        static func matches(_ pattern: String, in text: String) -> [String] {
            let regex = try! NSRegularExpression(pattern: pattern)
            return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range(at: 1), in: text).map { String(text[$0]) }
            }
        }
    }

    @Suite("Live statistics")
    struct LiveStatisticsTests {
        @Test("Windows: rates over 10 s, percentiles over 5 minutes, 5-second points; old seconds drop out")
        func windows() {
            let live = LiveStatistics()
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            for i in 0..<10 {
                live.recordRequest(status: i == 0 ? 500 : 200, now: t0.addingTimeInterval(Double(i)))
                live.recordCompletion(promptTokens: 5, completionTokens: 20, duration: .milliseconds(100 * (i + 1)),
                                      cache: i < 2 ? "hit" : "miss", now: t0.addingTimeInterval(Double(i)))
            }
            live.recordEscalation(reason: "low_confidence", now: t0)
            var s = live.snapshot(now: t0.addingTimeInterval(9))
            #expect(s.requestsPerSecond == 1)
            #expect(s.tokensPerSecond == 20)
            #expect(s.latency == Percentiles((1...10).map { Double($0 * 100) }))
            #expect(s.latency?.p50 == 500 && s.latency?.p90 == 900 && s.latency?.p99 == 1000)
            #expect(s.totals.errors == 1 && s.totals.cacheHits == 2 && s.totals.cacheMisses == 8)
            #expect(s.escalationsByReason == ["low_confidence": 1])
            #expect(s.points.count == 60)
            #expect(s.points.suffix(2).map(\.requests) == [5, 5])
            #expect(s.points.last?.t == t0.addingTimeInterval(5).timeIntervalSince1970)
            // A minute later the rate is 0 but the percentiles still see the window; six minutes later nothing is left.
            s = live.snapshot(now: t0.addingTimeInterval(69))
            #expect(s.requestsPerSecond == 0 && s.latency != nil)
            s = live.snapshot(now: t0.addingTimeInterval(400))
            #expect(s.latency == nil && s.points.allSatisfy { $0.requests == 0 })
            #expect(s.totals.requests == 10)   // totals stay
        }
    }
}
