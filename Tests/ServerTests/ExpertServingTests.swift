import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension ServerTests {
    /// The mixture of LoRA experts served over HTTP: real SmolLM2-135M, real MiniLM, adapters and router built in the
    /// test (`ExpertTestServer`).
    @Suite("Expert serving")
    struct ExpertServingTests {
        typealias E = ExpertTestServer

        // MARK: Configuration

        @Test("the experts section is read, defaulted and checked with line numbers")
        func configuration() throws {
            #expect(try ServerConfiguration.parse(yaml: "port: 1").experts == ExpertsConfiguration(enabled: true, modelID: "experts"))
            let c = try ServerConfiguration.parse(yaml: "experts:\n  enabled: false\n  model_id: moe\n")
            #expect(c.experts == ExpertsConfiguration(enabled: false, modelID: "moe"))
            func message(_ yaml: String) -> String {
                do {
                    _ = try ServerConfiguration.parse(yaml: yaml)
                    return "no error"
                } catch {
                    return error.description
                }
            }
            let typo = message("experts:\n  model: x\n")
            #expect(typo.contains("unknown key 'experts.model'") && typo.contains("line 2") && typo.contains("model_id"), "\(typo)")
            for (value, fragment) in [("auto", "auto"), ("smollm2-135m", "configured model"), ("a:b", "letters"), ("a/b", "letters")] {
                let error = message("port: 1\nexperts:\n  enabled: true\n  model_id: \(value)\n")
                #expect(error.contains("'experts.model_id'") && error.contains("line 4") && error.contains(fragment), "\(value): \(error)")
            }
            // A disabled section is not checked: a model may be called `experts` then.
            _ = try ServerConfiguration.parse(yaml: "experts:\n  enabled: false\nmodels:\n  - id: experts\n    source: smollm2-135m\n")
        }

        // MARK: Serving

        @Test("experts are deployed over HTTP and route requests: headers, groupqwen.expert, adapters, system prompt, auto, stream, metrics")
        func servesExperts() async throws {
            let release = try await E.release()
            try await E.app().test(.router) { client in
                // Nothing deployed yet.
                let empty = try await client.execute(uri: "/v1/experts", method: .get)
                #expect(empty.status == .ok)
                #expect((empty.json["data"] as? [Any])?.isEmpty == true)
                #expect(empty.json["deployment"] is NSNull && empty.json["router"] is NSNull)
                #expect(empty.json["model"] as? String == "experts")
                let missing = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                let error = missing.expectError(.notFound, param: "model", code: "model_not_found")
                #expect((error["message"] as? String)?.contains("no experts are deployed") == true)
                let plainAuto = try await client.post("/v1/chat/completions", json: E.chat(model: "auto", E.sqlQuestion))
                #expect(plainAuto.status == .ok && plainAuto.header("X-GroupQwen-Expert") == nil)
                #expect(((plainAuto.json["groupqwen"] as? [String: Any])?.keys.contains("expert")) == false)
                var models = try await client.execute(uri: "/v1/models", method: .get).json["data"] as? [[String: Any]] ?? []
                #expect(!models.contains { $0["id"] as? String == "experts" })

                // Deploy: the answer is the live release, as GET /v1/experts shows it.
                let deployed = try await client.deploy(release)
                #expect(deployed["deployment"] as? Int == 1)
                #expect(deployed["origin"] as? String == "test")
                #expect(deployed["model"] as? String == "experts")
                #expect(deployed["base_model"] as? String == TestServer.modelID)
                let data = deployed["data"] as? [[String: Any]] ?? []
                #expect(data.map { $0["id"] as? String } == ["sql", "lore"])
                #expect(data.allSatisfy { $0["object"] as? String == "expert" && $0["version"] as? Int == 1 && $0["versions"] as? [Int] == [1] })
                #expect(data.first?["system_prompt"] as? String == E.sqlSystemPrompt)
                #expect(data.last?["system_prompt"] is NSNull)
                #expect(data.first?["example_prompts"] as? [String] == Array(E.sqlPrompts.prefix(2)))
                let router = deployed["router"] as? [String: Any] ?? [:]
                #expect(router["classifier"] as? String == "logistic_regression")
                #expect(router["embedding_model"] as? String == "minilm-l6-v2")
                #expect(router["threshold"] as? Double != nil && router["evaluation"] is NSNull)
                let listed = try await client.execute(uri: "/v1/experts", method: .get)
                #expect(listed.json["deployment"] as? Int == 1 && listed.expertVersions == ["sql": 1, "lore": 1])
                models = try await client.execute(uri: "/v1/models", method: .get).json["data"] as? [[String: Any]] ?? []
                let expertsModel = models.first { $0["id"] as? String == "experts" }
                #expect(expertsModel?["parent"] as? String == TestServer.modelID)
                #expect(expertsModel?["experts"] as? [String] == ["sql", "lore"])
                #expect(try await client.execute(uri: "/v1/models/experts", method: .get).status == .ok)

                // An SQL question goes to sql: its adapter at scale 1, its system prompt added.
                let sql = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                #expect(sql.status == .ok, "\(sql.text)")
                #expect(sql.header("X-GroupQwen-Expert") == "sql")
                #expect(sql.header("X-GroupQwen-Model") == "experts:sql")
                #expect(sql.header("X-GroupQwen-Adapter") == "sql@1.0")
                #expect(sql.json["model"] as? String == "experts:sql")
                #expect(sql.adapterInfo.first?["id"] as? String == "sql" && sql.adapterInfo.first?["scale"] as? Double == 1)
                let info = sql.expertInfo
                #expect(info["id"] as? String == "sql" && info["version"] as? Int == 1 && info["deployment"] as? Int == 1)
                #expect(info["system_prompt_added"] as? Bool == true)
                #expect((info["confidence"] as? Double ?? 0) >= Double(release.router.threshold))
                #expect((info["runner_up"] as? [String: Any])?["id"] as? String == "lore")
                #expect((info["best"] as? [String: Any])?["id"] as? String == "sql")
                #expect(info["routing_ms"] as? Double != nil)

                // With a system message of its own the request keeps it; the adapter still applies.
                let own = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion, system: E.sqlSystemPrompt, maxTokens: 12))
                #expect(own.header("X-GroupQwen-Expert") == "sql")
                #expect(own.expertInfo["system_prompt_added"] as? Bool == false)
                let bare = try await client.post("/v1/chat/completions",
                                                 json: E.chat(model: TestServer.modelID, E.sqlQuestion, system: E.sqlSystemPrompt, maxTokens: 12))
                #expect(bare.header("X-GroupQwen-Expert") == nil)
                #expect(own.content != bare.content, "the sql adapter changed nothing: \(own.content ?? "-")")

                // Lore has no system prompt; an off-domain question goes to none, answered by the base model.
                let lore = try await client.post("/v1/chat/completions", json: E.chat(E.loreQuestion))
                #expect(lore.header("X-GroupQwen-Expert") == "lore" && lore.json["model"] as? String == "experts:lore")
                #expect(lore.expertInfo["system_prompt_added"] as? Bool == false)
                let none = try await client.post("/v1/chat/completions", json: E.chat(E.offDomainQuestion))
                #expect(none.status == .ok)
                #expect(none.header("X-GroupQwen-Expert") == "none")
                #expect(none.json["model"] as? String == TestServer.modelID && none.header("X-GroupQwen-Adapter") == nil)
                #expect(none.expertInfo["id"] is NSNull && none.expertInfo["version"] is NSNull)
                #expect(none.expertInfo["deployment"] as? Int == 1)
                #expect(none.adapterInfo.isEmpty)

                // Streaming says the same.
                let stream = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion, extra: #","stream":true"#))
                #expect(stream.status == .ok && stream.header("X-GroupQwen-Expert") == "sql")
                #expect(stream.events.last == "[DONE]")
                #expect(stream.expertInfo["id"] as? String == "sql" && stream.expertInfo["system_prompt_added"] as? Bool == true)

                // auto with a live release: the expert first; none is the usual tier routing.
                let auto = try await client.post("/v1/chat/completions", json: E.chat(model: "auto", E.sqlQuestion))
                #expect(auto.header("X-GroupQwen-Expert") == "sql" && auto.json["model"] as? String == "experts:sql")
                #expect((auto.json["groupqwen"] as? [String: Any])?["routed"] as? Bool == true)
                let autoNone = try await client.post("/v1/chat/completions", json: E.chat(model: "auto", E.offDomainQuestion))
                #expect(autoNone.header("X-GroupQwen-Expert") == "none" && autoNone.json["model"] as? String == TestServer.modelID)

                // Adapters do not combine with the experts model; completions do not know it.
                let withAdapters = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion, extra: #","adapters":[{"id":"x"}]"#))
                _ = withAdapters.expectError(.badRequest, param: "adapters")
                let completion = try await client.post("/v1/completions", json: #"{"model":"experts","prompt":"x","max_tokens":1}"#)
                _ = completion.expectError(.notFound, code: "model_not_found")

                // Metrics: sql 4 (experts ×3 incl. the stream, auto ×1), lore 1, none 2; every route timed.
                let metrics = try await client.execute(uri: "/metrics", method: .get).text
                #expect(metrics.contains(#"groupqwen_expert_routes_total{expert="sql"} 4"#), "\(metrics)")
                #expect(metrics.contains(#"groupqwen_expert_routes_total{expert="lore"} 1"#))
                #expect(metrics.contains(#"groupqwen_expert_routes_total{expert="none"} 2"#))
                #expect(metrics.contains("groupqwen_expert_routing_seconds_count 7"))
                #expect(metrics.contains(#"adapter="sql""#))
            }
        }

        @Test("with auto, an unsure expert escalates to the tier routing's model")
        func autoEscalates() async throws {
            let release = try await E.release()
            try await E.app(minConfidence: 1).test(.router) { client in
                try await client.deploy(release)
                let response = try await client.post("/v1/chat/completions", json: E.chat(model: "auto", E.sqlQuestion))
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.header("X-GroupQwen-Expert") == "sql")
                #expect(response.json["model"] as? String == TestServer.modelID)
                let steps = (response.json["groupqwen"] as? [String: Any])?["escalations"] as? [[String: Any]] ?? []
                #expect(steps.first?["from"] as? String == "experts:sql" && steps.first?["to"] as? String == TestServer.modelID)
                #expect(response.expertInfo["system_prompt_added"] as? Bool == false)   // the base answered, as sent
            }
        }

        // MARK: Cache

        @Test("the semantic cache keys on the deployment and the expert, and reuses the routing's query vector")
        func cacheKeepsExpertsApart() async throws {
            // The key, planned directly: one question, two experts (and none, and another deployment) → four contexts.
            let configuration = E.configuration()
            let state = ServerState(configuration: configuration, pool: TestServer.pool, starting: false,
                                    cache: try await SemanticCache(configuration: SemanticCacheConfiguration()))
            let experts = try #require(state.experts)
            let live = try await experts.deploy(try await E.release())
            let input = try await E.input(E.chat(E.sqlQuestion))
            let planner = ChatPlanner(state: state)
            let plan = try await planner.plan(input, headers: [:])
            let sql = try #require(plan.expert)
            #expect(sql.label == "sql" && plan.candidates.map(\.id) == ["experts:sql"])
            let vector = try await state.cacheKeys.embed([E.sqlQuestion]).vectors[0]
            #expect(plan.cacheKey?.vector == vector)   // computed once, by the planner
            func context(_ record: ExpertRecord?, deployment: Int = sql.deployment) -> CacheContext? {
                let choice = ExpertChoice(deployment: deployment, route: sql.route, record: record, adapter: record.flatMap { live.adapters[$0.id] },
                                          duration: .zero)
                return planner.cacheKey(input, headers: [:], routing: plan.routing, adapters: plan.candidates[0].adapters,
                                        expert: ChatPlanner.ExpertPlan(choice: choice, candidate: nil, queryVector: nil))?.context
            }
            #expect(context(live.record("sql")) == plan.cacheKey?.context)
            let contexts = [context(live.record("sql")), context(live.record("lore")), context(nil), context(live.record("sql"), deployment: 2)]
            #expect(Set(contexts.compactMap { $0 }).count == 4)

            // Over HTTP: the same question hits only the same expert of the same deployment.
            let cache = try await SemanticCache(configuration: SemanticCacheConfiguration())
            try await E.app(cache: cache).test(.router) { client in
                try await client.deploy(try await E.release())
                func ask(_ model: String = "experts") async throws -> TestResponse {
                    let response = try await client.post("/v1/chat/completions", json: E.chat(model: model, E.sqlQuestion))
                    #expect(response.status == .ok, "\(response.text)")
                    return response
                }
                func stored(_ count: Int) async throws {
                    for _ in 0..<100 where await cache.count < count { try await Task.sleep(for: .milliseconds(20)) }
                    #expect(await cache.count == count)
                }
                let first = try await ask()
                #expect(first.header("X-GroupQwen-Cache") == "miss")
                try await stored(1)
                let again = try await ask()
                #expect(again.header("X-GroupQwen-Cache") == "hit" && again.content == first.content)
                #expect(again.header("X-GroupQwen-Expert") == "sql" && again.json["model"] as? String == "experts:sql")
                #expect(again.header("X-GroupQwen-Adapter") == "sql@1.0" && again.expertInfo["system_prompt_added"] as? Bool == true)
                #expect(try await ask(TestServer.modelID).header("X-GroupQwen-Cache") == "miss")   // not the base asked directly,
                #expect(try await ask("auto").header("X-GroupQwen-Cache") == "miss")              // nor auto routing,
                try await stored(3)
                try await client.deploy(try await E.release(sqlAdapter: "sql-v2"))
                let redeployed = try await ask()                                                    // nor another deployment.
                #expect(redeployed.header("X-GroupQwen-Cache") == "miss" && redeployed.expertInfo["version"] as? Int == 2)
            }
        }

        // MARK: Versions

        @Test("versions, rollback and a restart on the same database")
        func versionsRollbackAndRestart() async throws {
            let path = E.databasePath()
            let v1 = try await E.release(), v2 = try await E.release(sqlAdapter: "sql-v2")
            try await E.app(registry: try ExpertRegistry(path: path)).test(.router) { client in
                try await client.deploy(v1)
                let second = try await client.deploy(v2)
                #expect(second["deployment"] as? Int == 2)
                let data = second["data"] as? [[String: Any]] ?? []
                #expect(data.first { $0["id"] as? String == "sql" }?["versions"] as? [Int] == [1, 2])
                #expect(data.first { $0["id"] as? String == "lore" }?["versions"] as? [Int] == [1])   // unchanged adapter, same version
                let routed = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                #expect(routed.expertInfo["version"] as? Int == 2 && routed.expertInfo["deployment"] as? Int == 2)

                let versions = try await client.execute(uri: "/v1/experts/sql", method: .get)
                #expect(versions.status == .ok)
                #expect(versions.json["live_version"] as? Int == 2)
                let stored = versions.json["data"] as? [[String: Any]] ?? []
                #expect(stored.map { $0["version"] as? Int } == [1, 2] && stored.map { $0["live"] as? Bool } == [false, true])
                #expect(stored.map { $0["adapter_path"] as? String } == [try E.adapter("sql"), try E.adapter("sql-v2")])
                _ = try await client.execute(uri: "/v1/experts/nope", method: .get).expectError(.notFound, param: "id", code: "expert_not_found")

                let rolledBack = try await client.post("/v1/experts/sql/rollback", json: "")
                #expect(rolledBack.status == .ok, "\(rolledBack.text)")
                #expect(rolledBack.json["deployment"] as? Int == 3 && rolledBack.expertVersions == ["sql": 1, "lore": 1])
                #expect(rolledBack.json["origin"] as? String == "rollback sql 2 -> 1")
                let after = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                #expect(after.expertInfo["version"] as? Int == 1 && after.expertInfo["deployment"] as? Int == 3)
                _ = try await client.post("/v1/experts/sql/rollback", json: "").expectError(.conflict, code: "no_previous_version")
                _ = try await client.post("/v1/experts/lore/rollback", json: "").expectError(.conflict, code: "no_previous_version")
                _ = try await client.post("/v1/experts/nope/rollback", json: "").expectError(.notFound, code: "expert_not_found")
            }
            // A new server on the same file serves deployment 3.
            try await E.app(registry: try ExpertRegistry(path: path)).test(.router) { client in
                let listed = try await client.execute(uri: "/v1/experts", method: .get)
                #expect(listed.json["deployment"] as? Int == 3 && listed.expertVersions == ["sql": 1, "lore": 1])
                let sql = (listed.json["data"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "sql" }
                #expect(sql?["versions"] as? [Int] == [1, 2])
                let routed = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                #expect(routed.header("X-GroupQwen-Expert") == "sql" && routed.expertInfo["version"] as? Int == 1)
                #expect(try await client.post("/v1/experts/sql/rollback", json: "").status == .conflict)
            }
        }

        // MARK: Errors

        @Test("bad releases are refused with the expert and file named, and change nothing")
        func deployErrors() async throws {
            let good = try await E.release()
            try await E.app().test(.router) { client in
                _ = try await client.post("/v1/experts/sql/rollback", json: "").expectError(.notFound, code: "experts_not_deployed")
                func refused(_ release: ExpertRelease, _ status: HTTPResponse.Status, code: String, naming: [String],
                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
                    let response = try await client.post("/v1/experts/deploy", json: try E.body(release))
                    let error = response.expectError(status, code: code, sourceLocation: sourceLocation)
                    let message = error["message"] as? String ?? ""
                    for name in naming { #expect(message.contains(name), "\(message)", sourceLocation: sourceLocation) }
                }
                let gone = AdapterTestServer.scratch.appendingPathComponent("no-such-adapter.gguf").path
                try await refused(try await E.release { $0.experts[0].adapterPath = gone }, .notFound, code: "adapter_not_found",
                                  naming: ["'sql'", gone])
                let truncated = try AdapterTestServer.truncatedAdapter()
                try await refused(try await E.release { $0.experts[1].adapterPath = truncated; $0.experts[1].adapterFingerprint = "" },
                                  .badRequest, code: "invalid_adapter", naming: ["'lore'", truncated])
                try await refused(try await E.release { $0.experts[1].adapterFingerprint = "0000" }, .badRequest,
                                  code: "adapter_fingerprint_mismatch", naming: ["'lore'", "0000"])
                try await refused(try await E.release(baseModel: "nope"), .notFound, code: "model_not_found", naming: ["'nope'"])
                try await refused(try await E.release { $0.experts.removeLast() }, .badRequest, code: "invalid_release", naming: ["'lore'"])
                _ = try await client.post("/v1/experts/deploy", json: "{").expectError(.badRequest, code: "invalid_json")
                _ = try await client.post("/v1/experts/deploy", json: #"{"base_model":"x"}"#).expectError(.badRequest, param: "router")
                let listed = try await client.execute(uri: "/v1/experts", method: .get)
                #expect(listed.json["deployment"] is NSNull)
                try await client.deploy(good)
            }
            // Disabled: the routes answer 404 and `experts` is an unknown model.
            try await E.app(experts: ExpertsConfiguration(enabled: false)).test(.router) { client in
                _ = try await client.execute(uri: "/v1/experts", method: .get).expectError(.notFound, code: "experts_disabled")
                _ = try await client.post("/v1/experts/deploy", json: try E.body(good)).expectError(.notFound, code: "experts_disabled")
                let chat = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                let error = chat.expectError(.notFound, code: "model_not_found")
                #expect((error["message"] as? String)?.contains("does not exist") == true)
            }
        }

        @Test("a live release whose base model is no longer configured does not stop the server: it serves no experts")
        func unservableReleaseAtStartup() async throws {
            let path = E.databasePath()
            try ExpertRegistry(path: path).deploy(try await E.release(baseModel: "gone"))
            try await E.app(registry: try ExpertRegistry(path: path)).test(.router) { client in
                let listed = try await client.execute(uri: "/v1/experts", method: .get)
                #expect(listed.status == .ok && listed.json["deployment"] is NSNull)
                #expect((listed.json["problem"] as? String)?.contains("'gone'") == true, "\(listed.text)")
                let chat = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                let error = chat.expectError(.notFound, code: "model_not_found")
                #expect((error["message"] as? String)?.contains("'gone'") == true)
                let auto = try await client.post("/v1/chat/completions", json: E.chat(model: "auto", E.sqlQuestion))
                #expect(auto.status == .ok && auto.header("X-GroupQwen-Expert") == nil)
                // A new deployment serves again.
                try await client.deploy(try await E.release())
                #expect(try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion)).header("X-GroupQwen-Expert") == "sql")
            }
        }

        // MARK: Hot deployment

        @Test("a deployment while a stream runs does not disturb it; the next request gets the new version")
        func deployDuringStream() async throws {
            let v1 = try await E.release(), v2 = try await E.release(sqlAdapter: "sql-v2")
            let model = try await TestServer.pool.model(TestServer.modelID)
            try await E.app(registry: try ExpertRegistry(path: E.databasePath())).test(.live) { client in
                try await client.deploy(v1)
                let socket = try RawSocket(port: try #require(client.port))
                let body = E.chat(E.sqlQuestion, maxTokens: 160, extra: #","stream":true,"ignore_eos":true"#)
                try socket.send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
                var received = ""
                while received.components(separatedBy: "data: ").count < 4 { received += try socket.receive() }
                #expect(received.contains("X-GroupQwen-Expert: sql") || received.lowercased().contains("x-groupqwen-expert: sql"))
                let deployed = try await client.deploy(v2)
                #expect(deployed["deployment"] as? Int == 2)
                #expect(model.scheduler.load.active > 0, "the stream ended before the deployment did; the test proves nothing")
                while !received.contains("[DONE]") {
                    guard let more = try? socket.receive() else { break }
                    received += more
                }
                socket.close()
                // Lines by bytes: "\r\n" is one Character, so a String split on "\n" would miss the chunk-size lines' ends.
                let events = received.utf8.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
                    .filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
                #expect(events.last == "[DONE]", "\(received.prefix(800).debugDescription)")
                let chunks = events.dropLast().map(jsonObject)
                #expect(!chunks.contains { $0["error"] != nil }, "\(received.suffix(500))")
                let finish = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["finish_reason"]) as? String }
                #expect(finish == ["length"])
                let expert = (chunks.last { $0["groupqwen"] != nil }?["groupqwen"] as? [String: Any])?["expert"] as? [String: Any]
                #expect(expert?["version"] as? Int == 1 && expert?["deployment"] as? Int == 1)
                let next = try await client.post("/v1/chat/completions", json: E.chat(E.sqlQuestion))
                #expect(next.expertInfo["version"] as? Int == 2 && next.expertInfo["deployment"] as? Int == 2)
            }
        }
    }
}
