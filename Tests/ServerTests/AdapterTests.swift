import Engine
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelStore
@testable import Server
import Testing

/// Two configured bases on SmolLM2-135M with real adapters: `smollm2-135m` serves the fixture adapter as
/// `qkvo` (GGUF) and `peft` (the PEFT folder); `smollm2-alt` serves `qkvo` too (so `qkvo` alone is
/// ambiguous) and `alt-only`. `random` is a stronger seeded adapter written to a temporary file, for hot adds
/// and for a second adapter in the cache tests.
enum AdapterTestServer {
    static let lora = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/lora")
    static let gguf = lora.appendingPathComponent("smollm2-r8-qkvo.gguf").path
    static let peft = lora.appendingPathComponent("smollm2-r8-qkvo-peft").path
    static let qwen = lora.appendingPathComponent("qwen-r2-all-f16.gguf").path

    static let smol = ServedModel(id: "smollm2-135m", source: "smollm2-135m", contextLength: 512, tier: 1, maxConcurrent: 4,
                                  adapters: [ServedAdapter(id: "qkvo", path: gguf, labels: ["style"], description: "fixture"),
                                             ServedAdapter(id: "peft", path: peft)])
    static let alt = ServedModel(id: "smollm2-alt", source: "smollm2-135m", contextLength: 512, tier: 1, maxConcurrent: 2,
                                 adapters: [ServedAdapter(id: "qkvo", path: gguf), ServedAdapter(id: "alt-only", path: gguf)])
    static let pool = ModelPool(configuration: ModelPoolConfiguration(models: [smol, alt], keepAlive: nil, fetchMissing: false))

    /// A temporary folder for adapter files the tests write.
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("groupqwen-adapter-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A seeded random adapter for SmolLM2-135M (B std 0.05: it changes greedy answers), written once.
    static func randomAdapter(seed: UInt64, name: String) throws -> String {
        let path = scratch.appendingPathComponent("\(name).gguf").path
        if FileManager.default.fileExists(atPath: path) { return path }
        let configuration = try ModelLoader.configuration(path: try ModelStore().resolve("smollm2-135m").path)
        try LoRAAdapter.random(configuration: configuration, rank: 8, bStandardDeviation: 0.05, seed: seed, name: name)
            .writeGGUF(to: path)
        return path
    }

    /// The first `bytes` bytes of the fixture adapter: a truncated file.
    static func truncatedAdapter() throws -> String {
        let path = scratch.appendingPathComponent("truncated.gguf").path
        let data = try Data(contentsOf: URL(fileURLWithPath: gguf))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func configuration(models: [ServedModel] = [smol, alt], routing: RoutingConfiguration = RoutingConfiguration())
        -> ServerConfiguration {
        ServerConfiguration(models: models, keepAliveSeconds: nil, fetchMissing: false, routing: routing)
    }

    static func app(models: [ServedModel] = [smol, alt], routing: RoutingConfiguration = RoutingConfiguration(),
                    cache: SemanticCache? = nil) async throws -> some ApplicationProtocol {
        let configuration = configuration(models: models, routing: routing)
        let adapters = try await AdapterRegistry.load(models: configuration.models, pool: pool)
        return GroupQwenServer.makeApplication(configuration: configuration, pool: pool, managesPool: false, cache: cache,
                                               adapters: adapters)
    }

    static let question = "Write one sentence about the sea."

    static func chat(model: String = "smollm2-135m", _ content: String = question, maxTokens: Int = 16, extra: String = "") -> String {
        let message = String(decoding: try! JSONEncoder().encode(content), as: UTF8.self)
        return #"{"model":"\#(model)","max_tokens":\#(maxTokens),"temperature":0,"messages":[{"role":"user","content":\#(message)}]\#(extra)}"#
    }
}

extension TestResponse {
    var content: String? {
        ((json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
    }

    var adapterInfo: [[String: Any]] { (json["groupqwen"] as? [String: Any])?["adapters"] as? [[String: Any]] ?? [] }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

extension ServerTests {
    @Suite("LoRA adapters")
    struct AdapterTests {
        // MARK: Configuration

        @Test("adapters are read from the configuration; relative paths are relative to the file")
        func configuration() throws {
            let yaml = """
            models:
              - id: smollm2-135m
                adapters:
                  - id: pirate
                    path: adapters/pirate.gguf
                    scale: 0.5
                    tier: 2
                    labels: [style]
                    description: Talks like a pirate
                  - id: terse
                    path: /abs/terse
            """
            let c = try ServerConfiguration.parse(yaml: yaml)
            #expect(c.models[0].adapters == [
                ServedAdapter(id: "pirate", path: "adapters/pirate.gguf", scale: 0.5, tier: 2, labels: ["style"],
                              description: "Talks like a pirate"),
                ServedAdapter(id: "terse", path: "/abs/terse"),
            ])
            let folder = AdapterTestServer.scratch.appendingPathComponent("config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("groupqwen.yaml")
            try yaml.write(to: file, atomically: true, encoding: .utf8)
            let loaded = try ServerConfiguration.load(path: file.path)
            #expect(loaded.models[0].adapters[0].path == folder.appendingPathComponent("adapters/pirate.gguf").path)
            #expect(loaded.models[0].adapters[1].path == "/abs/terse")
        }

        @Test("bad adapter entries are configuration errors naming the key and line")
        func configurationErrors() {
            func message(_ yaml: String) -> String {
                do {
                    _ = try ServerConfiguration.parse(yaml: yaml)
                    return "no error"
                } catch {
                    return error.description
                }
            }
            let head = "models:\n  - id: a\n    adapters:\n"
            let typo = message(head + "      - id: x\n        path: x.gguf\n        scal: 2\n")
            #expect(typo.contains("unknown key 'models[0].adapters[0].scal'") && typo.contains("line 6"), "\(typo)")
            let missing = message(head + "      - id: x\n")
            #expect(missing.contains("models[0].adapters[0].path") && missing.contains("required") && missing.contains("line 4"), "\(missing)")
            let type = message(head + "      - id: x\n        path: x.gguf\n        scale: big\n")
            #expect(type.contains("models[0].adapters[0].scale") && type.contains("number") && type.contains("line 6"), "\(type)")
            let badID = message(head + "      - id: a\n        path: x.gguf\n      - id: 'b:c'\n        path: y.gguf\n")
            #expect(badID.contains("models[0].adapters[1].id") && badID.contains("line 6"), "\(badID)")
            let twice = message(head + "      - id: x\n        path: x.gguf\n      - id: x\n        path: y.gguf\n")
            #expect(twice.contains("models[0].adapters[1].id") && twice.contains("listed twice") && twice.contains("line 6"), "\(twice)")
            let tier = message(head + "      - id: x\n        path: x.gguf\n        tier: -1\n")
            #expect(tier.contains("models[0].adapters[0].tier") && tier.contains("line 6"), "\(tier)")
            let remote = message("models:\n  - id: big\n    url: http://gpu:8000/v1\n    adapters:\n      - id: x\n        path: x.gguf\n")
            #expect(remote.contains("models[0].adapters") && remote.contains("remote") && remote.contains("line 5"), "\(remote)")
            let notList = message("models:\n  - id: a\n    adapters: x.gguf\n")
            #expect(notList.contains("models[0].adapters") && notList.contains("line 3"), "\(notList)")
            for m in [typo, missing, type, badID, twice, tier, remote, notList] { #expect(!m.contains("\n"), "\(m)") }
        }

        @Test("a configured adapter that cannot be served stops startup with a one-line error")
        func startupFailure() async throws {
            func failure(_ path: String) async -> String {
                var model = AdapterTestServer.smol
                model.adapters = [ServedAdapter(id: "good", path: AdapterTestServer.gguf), ServedAdapter(id: "bad", path: path)]
                do {
                    _ = try await AdapterRegistry.load(models: [model], pool: AdapterTestServer.pool)
                    return "no error"
                } catch {
                    return error.description
                }
            }
            let truncated = await failure(try AdapterTestServer.truncatedAdapter())
            #expect(truncated.hasPrefix("configuration 'models[0].adapters[1]': adapter 'bad' for model 'smollm2-135m'"), "\(truncated)")
            #expect(truncated.contains("truncated or corrupt"), "\(truncated)")
            let qwen = await failure(AdapterTestServer.qwen)
            #expect(qwen.contains("architecture 'qwen2'") && qwen.contains("'llama'"), "\(qwen)")
            let missing = await failure("/nonexistent/adapter.gguf")
            #expect(missing.contains("no such file"), "\(missing)")
            for m in [truncated, qwen, missing] { #expect(!m.contains("\n"), "\(m)") }
        }

        // MARK: Listing

        @Test("/v1/models lists each adapter-model after its base; /v1/adapters lists and finds adapters")
        func listing() async throws {
            try await AdapterTestServer.app().test(.router) { client in
                let models = try await client.execute(uri: "/v1/models", method: .get).json["data"] as? [[String: Any]] ?? []
                #expect(models.map { $0["id"] as? String } == [
                    "smollm2-135m", "smollm2-135m:qkvo", "smollm2-135m:peft", "smollm2-alt", "smollm2-alt:qkvo",
                    "smollm2-alt:alt-only", "minilm-l6-v2",
                ])
                let qkvo = try #require(models.first { $0["id"] as? String == "smollm2-135m:qkvo" })
                #expect(qkvo["object"] as? String == "model")
                #expect(qkvo["parent"] as? String == "smollm2-135m")
                #expect(qkvo["owned_by"] as? String == "groupqwen")
                #expect(qkvo["rank"] as? Int == 8)
                #expect(qkvo["targets"] as? [String] == ["q", "k", "v", "o"])
                #expect(qkvo["alpha"] is Double)
                #expect(qkvo["scale"] as? Double == 1)
                #expect(qkvo.keys.contains("tier") && qkvo["tier"] is NSNull)
                #expect(qkvo["labels"] as? [String] == ["style"])
                #expect(qkvo["state"] as? String == "loaded")
                #expect(qkvo["description"] as? String == "fixture")
                let base = try #require(models.first { $0["id"] as? String == "smollm2-135m" })
                #expect(base["parent"] == nil && base["rank"] == nil && base["tier"] as? Int == 1)

                let byAlias = try await client.execute(uri: "/v1/models/peft", method: .get)
                #expect(byAlias.json["id"] as? String == "smollm2-135m:peft")
                _ = try await client.execute(uri: "/v1/models/qkvo", method: .get).expectError(.notFound, code: "model_not_found")

                let list = try await client.execute(uri: "/v1/adapters", method: .get).json
                #expect(list["object"] as? String == "list")
                let adapters = list["data"] as? [[String: Any]] ?? []
                #expect(adapters.map { $0["served_as"] as? String }
                    == ["smollm2-135m:qkvo", "smollm2-135m:peft", "smollm2-alt:qkvo", "smollm2-alt:alt-only"])
                let first = adapters[0]
                #expect(first["id"] as? String == "qkvo" && first["model"] as? String == "smollm2-135m")
                #expect(first["alias"] is NSNull)   // qkvo is served on both bases
                #expect(first["format"] as? String == "gguf" && first["source"] as? String == "configuration")
                #expect(first["lora_id"] as? Int == 0 && (first["parameters"] as? Int ?? 0) > 0)
                #expect((first["fingerprint"] as? String)?.count == 64)
                #expect(adapters[1]["format"] as? String == "peft" && adapters[1]["alias"] as? String == "peft")
                #expect(adapters[1]["lora_id"] as? Int == 1)

                let one = try await client.execute(uri: "/v1/adapters/smollm2-alt:alt-only", method: .get).json
                #expect(one["served_as"] as? String == "smollm2-alt:alt-only")
                #expect(try await client.execute(uri: "/v1/adapters/alt-only", method: .get).json["model"] as? String == "smollm2-alt")
                let ambiguous = try await client.execute(uri: "/v1/adapters/qkvo", method: .get).expectError(.notFound, param: "id")
                #expect((ambiguous["message"] as? String ?? "").contains("smollm2-alt:qkvo"))
                _ = try await client.execute(uri: "/v1/adapters/nope", method: .get).expectError(.notFound, code: "adapter_not_found")
            }
        }

        // MARK: Chat

        @Test("base:adapter answers differently from the base; the adapters and lora fields and the alias give the same answer")
        func chatWithAdapter() async throws {
            try await AdapterTestServer.app().test(.router) { client in
                let base = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat())
                #expect(base.status == .ok, "\(base.text)")
                #expect(base.header("X-GroupQwen-Adapter") == nil)
                #expect(base.adapterInfo.isEmpty)
                #expect((base.json["groupqwen"] as? [String: Any])?["adapters"] is [Any])

                let adapted = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "smollm2-135m:qkvo"))
                #expect(adapted.status == .ok, "\(adapted.text)")
                let text = try #require(adapted.content)
                #expect(text != base.content, "the adapter should change the greedy answer: \(text)")
                #expect(adapted.json["model"] as? String == "smollm2-135m:qkvo")
                #expect(adapted.header("X-GroupQwen-Model") == "smollm2-135m:qkvo")
                #expect(adapted.header("X-GroupQwen-Adapter") == "qkvo@1.0")
                #expect(adapted.adapterInfo.count == 1)
                #expect(adapted.adapterInfo.first?["id"] as? String == "qkvo")
                #expect(adapted.adapterInfo.first?["scale"] as? Double == 1)

                let field = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","adapters":[{"id":"qkvo"}]"#))
                #expect(field.content == text, "\(field.text)")
                #expect(field.json["model"] as? String == "smollm2-135m")
                #expect(field.header("X-GroupQwen-Adapter") == "qkvo@1.0")
                let llama = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","lora":[{"id":0,"scale":1}]"#))
                #expect(llama.content == text, "\(llama.text)")
                let qualified = try await client.post("/v1/chat/completions",
                                                      json: AdapterTestServer.chat(extra: #","adapters":[{"id":"smollm2-135m:qkvo"}]"#))
                #expect(qualified.content == text)
                // The PEFT folder holds the same adapter: named by its unique id alone, it answers alike.
                let alias = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "peft"))
                #expect(alias.content == text, "\(alias.text)")
                #expect(alias.json["model"] as? String == "smollm2-135m:peft")

                // Scale 0 is the bare model; two halves add up to the whole adapter.
                let zero = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","adapters":[{"id":"qkvo","scale":0}]"#))
                #expect(zero.content == base.content)
                #expect(zero.adapterInfo.isEmpty)
                let halves = try await client.post("/v1/chat/completions",
                                                   json: AdapterTestServer.chat(extra: #","adapters":[{"id":"qkvo","scale":0.5},{"id":"qkvo","scale":0.5}]"#))
                #expect(halves.content == text)
                #expect(halves.header("X-GroupQwen-Adapter") == "qkvo@1.0")

                // Streams name the adapter-model in every chunk and list the adapters in the last one.
                let stream = try await client.post("/v1/chat/completions",
                                                   json: AdapterTestServer.chat(model: "smollm2-135m:qkvo", extra: #","stream":true"#))
                #expect(stream.header("X-GroupQwen-Adapter") == "qkvo@1.0")
                let chunks = stream.events.dropLast().map(jsonObject)
                #expect(chunks.allSatisfy { $0["model"] as? String == "smollm2-135m:qkvo" })
                let streamed = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }
                #expect(streamed.joined() == text)
                let last = chunks.last?["groupqwen"] as? [String: Any]
                #expect((last?["adapters"] as? [[String: Any]])?.first?["id"] as? String == "qkvo")

                // Text completions take adapter-models too.
                let prompt = #"{"model":"smollm2-135m:qkvo","prompt":"The sea is","max_tokens":12,"temperature":0}"#
                let completion = try await client.post("/v1/completions", json: prompt)
                #expect(completion.json["model"] as? String == "smollm2-135m:qkvo", "\(completion.text)")
                let plain = try await client.post("/v1/completions", json: prompt.replacingOccurrences(of: "smollm2-135m:qkvo", with: "smollm2-135m"))
                let texts = [completion, plain].map { (($0.json["choices"] as? [[String: Any]])?.first?["text"] as? String) }
                #expect(texts[0] != nil && texts[0] != texts[1])
            }
        }

        @Test("unknown adapters are 404 listing what exists; an adapter of another model, adapters with auto or a remote model are 400")
        func errors() async throws {
            var remote = ServedModel(id: "far", source: "far", tier: 5)
            remote.remote = RemoteEndpoint(url: "http://127.0.0.1:9/v1", attempts: 1)
            try await AdapterTestServer.app(models: [AdapterTestServer.smol, AdapterTestServer.alt, remote]).test(.router) { client in
                let unknown = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "smollm2-135m:nope"))
                let error = unknown.expectError(.notFound, param: "model", code: "model_not_found")
                #expect((error["message"] as? String ?? "").contains("smollm2-135m:qkvo"), "\(unknown.text)")
                let ambiguous = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "qkvo"))
                let ambiguity = ambiguous.expectError(.notFound, param: "model", code: "model_not_found")
                #expect((ambiguity["message"] as? String ?? "").contains("smollm2-alt:qkvo"))
                let field = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","adapters":[{"id":"nope"}]"#))
                let listed = field.expectError(.notFound, param: "adapters[0].id", code: "adapter_not_found")
                #expect((listed["message"] as? String ?? "").contains("qkvo, peft"), "\(field.text)")
                let index = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","lora":[{"id":2}]"#))
                let indexError = index.expectError(.notFound, param: "lora[0].id", code: "adapter_not_found")
                #expect((indexError["message"] as? String ?? "").contains("0: qkvo, 1: peft"))

                let other = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","adapters":[{"id":"alt-only"}]"#))
                _ = other.expectError(.badRequest, param: "adapters[0].id", code: "adapter_model_mismatch")
                let qualified = try await client.post("/v1/chat/completions",
                                                      json: AdapterTestServer.chat(extra: #","adapters":[{"id":"smollm2-alt:qkvo"}]"#))
                _ = qualified.expectError(.badRequest, param: "adapters[0].id", code: "adapter_model_mismatch")
                let onAdapterModel = try await client.post("/v1/chat/completions",
                                                           json: AdapterTestServer.chat(model: "smollm2-135m:peft", extra: #","adapters":[{"id":"alt-only"}]"#))
                _ = onAdapterModel.expectError(.badRequest, param: "adapters[0].id")
                let auto = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "auto", extra: #","adapters":[{"id":"qkvo"}]"#))
                _ = auto.expectError(.badRequest, param: "adapters")
                let far = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "far", extra: #","lora":[{"id":0}]"#))
                _ = far.expectError(.badRequest, param: "lora")
                let scale = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","adapters":[{"id":"qkvo","scale":1e300}]"#))
                _ = scale.expectError(.badRequest, param: "adapters[0].scale")
                let shape = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","adapters":[{"scale":1}]"#))
                _ = shape.expectError(.badRequest, param: "adapters[0].id")
                // Nine entries of one adapter merge into one: within the limit of eight adapters.
                let many = (0..<9).map { _ in #"{"id":"qkvo","scale":0.1}"# }.joined(separator: ",")
                let merged = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(maxTokens: 1, extra: #","adapters":[\#(many)]"#))
                #expect(merged.status == .ok, "\(merged.text)")
                let unknownCompletion = try await client.post("/v1/completions", json: #"{"model":"smollm2-135m:nope","prompt":"x"}"#)
                _ = unknownCompletion.expectError(.notFound, code: "model_not_found")
            }
        }

        // MARK: Cache

        @Test("the semantic cache never serves one adapter's answer for another adapter or for the base")
        func cacheKeepsAdaptersApart() async throws {
            let random = try AdapterTestServer.randomAdapter(seed: 7, name: "random")
            var smol = AdapterTestServer.smol
            smol.adapters.append(ServedAdapter(id: "random", path: random))
            let cache = try await SemanticCache(configuration: SemanticCacheConfiguration())
            try await AdapterTestServer.app(models: [smol, AdapterTestServer.alt], cache: cache).test(.router) { client in
                func ask(_ model: String, extra: String = "") async throws -> TestResponse {
                    let response = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: model, extra: extra))
                    #expect(response.status == .ok, "\(response.text)")
                    return response
                }
                let first = try await ask("smollm2-135m:qkvo")
                #expect(first.header("X-GroupQwen-Cache") == "miss")
                for _ in 0..<100 where await cache.count == 0 { try await Task.sleep(for: .milliseconds(20)) }
                #expect(await cache.count == 1)
                let again = try await ask("smollm2-135m:qkvo")
                #expect(again.header("X-GroupQwen-Cache") == "hit")   // the cache does answer the same adapter …
                #expect(again.content == first.content)
                #expect(again.json["model"] as? String == "smollm2-135m:qkvo")
                #expect(again.header("X-GroupQwen-Adapter") == "qkvo@1.0")
                #expect(again.adapterInfo.first?["id"] as? String == "qkvo")

                let other = try await ask("smollm2-135m:random")   // … but not another adapter,
                #expect(other.header("X-GroupQwen-Cache") == "miss")
                #expect(other.content != first.content)
                let base = try await ask("smollm2-135m")           // nor the base,
                #expect(base.header("X-GroupQwen-Cache") == "miss")
                let scaled = try await ask("smollm2-135m", extra: #","adapters":[{"id":"qkvo","scale":0.5}]"#)   // nor another scale,
                #expect(scaled.header("X-GroupQwen-Cache") == "miss")
                let sameFile = try await ask("smollm2-alt:qkvo")   // nor the same file on another base.
                #expect(sameFile.header("X-GroupQwen-Cache") == "miss")
                let stats = try await client.execute(uri: "/v1/cache/stats", method: .get).json
                #expect(stats["hits"] as? Int == 1)
                #expect(stats["misses"] as? Int == 5)

                // An adapter replaced by another file under the same id does not inherit its answers.
                let replacement = try AdapterTestServer.randomAdapter(seed: 8, name: "replacement")
                let entries = await cache.count
                #expect(try await client.post("/v1/adapters", json: #"{"id":"swap","path":"\#(random)","model":"smollm2-135m"}"#).status == .ok)
                #expect(try await ask("smollm2-135m:swap").header("X-GroupQwen-Cache") == "miss")
                for _ in 0..<100 where await cache.count == entries { try await Task.sleep(for: .milliseconds(20)) }
                #expect(try await ask("smollm2-135m:swap").header("X-GroupQwen-Cache") == "hit")
                #expect(try await client.execute(uri: "/v1/adapters/swap", method: .delete).status == .ok)
                #expect(try await client.post("/v1/adapters", json: #"{"id":"swap","path":"\#(replacement)","model":"smollm2-135m"}"#).status == .ok)
                #expect(try await ask("smollm2-135m:swap").header("X-GroupQwen-Cache") == "miss")
            }
        }

        // MARK: Hot management

        @Test("adapters are added and removed at run time; a running generation with a removed adapter finishes")
        func hotAddAndRemove() async throws {
            let random = try AdapterTestServer.randomAdapter(seed: 7, name: "random")
            let truncated = try AdapterTestServer.truncatedAdapter()
            try await AdapterTestServer.app().test(.router) { client in
                func add(_ body: String) async throws -> TestResponse { try await client.post("/v1/adapters", json: body) }
                let before = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "smollm2-135m:hot"))
                _ = before.expectError(.notFound, code: "model_not_found")

                let added = try await add(#"{"id":"hot","path":"\#(random)","model":"smollm2-135m","scale":1,"labels":["x"],"description":"hot"}"#)
                #expect(added.status == .ok, "\(added.text)")
                #expect(added.json["served_as"] as? String == "smollm2-135m:hot")
                #expect(added.json["source"] as? String == "api")
                #expect(added.json["lora_id"] is NSNull)
                #expect(added.json["alias"] as? String == "hot")
                #expect(added.json["rank"] as? Int == 8)
                #expect(added.json["targets"] as? [String] == ["q", "k", "v", "o", "gate", "up", "down"])
                let models = try await client.execute(uri: "/v1/models", method: .get).json["data"] as? [[String: Any]] ?? []
                #expect(models.contains { $0["id"] as? String == "smollm2-135m:hot" })

                let hot = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "hot"))
                #expect(hot.status == .ok, "\(hot.text)")
                #expect(hot.json["model"] as? String == "smollm2-135m:hot")
                let base = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat())
                #expect(hot.content != base.content)

                _ = try await add(#"{"id":"hot","path":"\#(random)","model":"smollm2-135m"}"#).expectError(.conflict, param: "id", code: "adapter_exists")
                _ = try await add(#"{"id":"x","path":"\#(random)","model":"nope"}"#).expectError(.notFound, param: "model", code: "model_not_found")
                let cut = try await add(#"{"id":"cut","path":"\#(truncated)","model":"smollm2-135m"}"#)
                let cutError = cut.expectError(.badRequest, param: "path", code: "invalid_adapter")
                #expect((cutError["message"] as? String ?? "").contains("truncated or corrupt"), "\(cut.text)")
                let qwen = try await add(#"{"id":"qwen","path":"\#(AdapterTestServer.qwen)","model":"smollm2-135m"}"#)
                let qwenError = qwen.expectError(.badRequest, param: "path", code: "invalid_adapter")
                #expect(qwenError["message"] as? String == "the adapter is for architecture 'qwen2' but the model is 'llama'", "\(qwen.text)")
                _ = try await add(#"{"id":"gone","path":"/nonexistent/a.gguf","model":"smollm2-135m"}"#).expectError(.badRequest, param: "path")
                _ = try await add(#"{"id":"a:b","path":"\#(random)","model":"smollm2-135m"}"#).expectError(.badRequest, param: "id")
                _ = try await add(#"{"id":"s","path":"\#(random)","model":"smollm2-135m","scale":1e300}"#).expectError(.badRequest, param: "scale")
                _ = try await add(#"{"path":"\#(random)","model":"smollm2-135m"}"#).expectError(.badRequest, param: "id")
                let listed = try await client.execute(uri: "/v1/adapters", method: .get).json["data"] as? [[String: Any]]
                #expect(listed?.count == 5)

                // A long stream with the hot adapter; the adapter is removed while it runs.
                func active() async -> Int {
                    await AdapterTestServer.pool.statuses().first { $0.served.id == "smollm2-135m" }?.activeSequences ?? 0
                }
                for _ in 0..<500 where await active() > 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(await active() == 0)
                async let stream = client.post("/v1/chat/completions", json: AdapterTestServer.chat(
                    model: "smollm2-135m:hot", maxTokens: 120, extra: #","stream":true,"ignore_eos":true,"stream_options":{"include_usage":true}"#))
                var running = false
                for _ in 0..<500 {
                    running = await active() > 0
                    if running { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(running)
                let deleted = try await client.execute(uri: "/v1/adapters/hot", method: .delete)
                #expect(deleted.status == .ok, "\(deleted.text)")
                #expect(deleted.json["deleted"] as? Bool == true && deleted.json["id"] as? String == "hot")
                #expect(deleted.json["model"] as? String == "smollm2-135m")
                let after = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "smollm2-135m:hot"))
                _ = after.expectError(.notFound, code: "model_not_found")
                _ = try await client.execute(uri: "/v1/adapters/hot", method: .delete).expectError(.notFound, code: "adapter_not_found")

                let finished = try await stream
                #expect(finished.status == .ok)
                #expect(finished.events.last == "[DONE]")
                let chunks = finished.events.dropLast().map(jsonObject)
                #expect(chunks.allSatisfy { $0["error"] == nil }, "\(finished.text)")
                #expect((chunks.last?["usage"] as? [String: Any])?["completion_tokens"] as? Int == 120)
                let finish = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
                #expect(finish == ["length"])

                // A configured adapter can be removed too; its lora index is then a 404.
                #expect(try await client.execute(uri: "/v1/adapters/smollm2-135m:qkvo", method: .delete).status == .ok)
                let removed = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(extra: #","lora":[{"id":0}]"#))
                let removedError = removed.expectError(.notFound, param: "lora[0].id", code: "adapter_not_found")
                #expect((removedError["message"] as? String ?? "").contains("removed"))

                let metrics = try await client.execute(uri: "/metrics", method: .get).text
                for series in [
                    #"groupqwen_adapter_load_failures_total{model="smollm2-135m"} 3"#,
                    #"groupqwen_adapters_loaded{model="smollm2-135m"} 1.0"#,
                    #"groupqwen_adapters_loaded{model="smollm2-alt"} 2.0"#,
                ] {
                    #expect(metrics.contains(series), "missing \(series) in:\n\(metrics)")
                }
            }
        }

        // MARK: Metrics and routing

        @Test("completions are labelled by adapter; a gauge counts the adapters of each base")
        func metrics() async throws {
            try await AdapterTestServer.app().test(.router) { client in
                #expect(try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(maxTokens: 2)).status == .ok)
                #expect(try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "smollm2-135m:qkvo", maxTokens: 2)).status == .ok)
                #expect(try await client.post("/v1/chat/completions",
                                              json: AdapterTestServer.chat(maxTokens: 2, extra: #","adapters":[{"id":"qkvo"},{"id":"peft","scale":0.5}]"#)).status == .ok)
                let text = try await client.execute(uri: "/metrics", method: .get).text
                for series in [
                    #"groupqwen_completions_total{endpoint="chat",model="smollm2-135m",tier="1",status="ok",adapter="none"} 1"#,
                    #"groupqwen_completions_total{endpoint="chat",model="smollm2-135m",tier="1",status="ok",adapter="qkvo"} 1"#,
                    #"groupqwen_completions_total{endpoint="chat",model="smollm2-135m",tier="1",status="ok",adapter="qkvo+peft"} 1"#,
                    #"groupqwen_prompt_tokens_total{model="smollm2-135m"}"#,
                    #"groupqwen_adapters_loaded{model="smollm2-135m"} 2.0"#,
                    #"groupqwen_adapters_loaded{model="smollm2-alt"} 2.0"#,
                ] {
                    #expect(text.contains(series), "missing \(series) in:\n\(text)")
                }
                #expect(!text.contains("smollm2-135m:qkvo"))
            }
        }

        @Test("auto routing considers adapter-models with a tier, never those without")
        func routing() async throws {
            var routing = RoutingConfiguration()
            routing.tierThresholds = [0.0, 0.3]   // every request wants tier ≥ 1; complex ones tier 2
            routing.minConfidence = 0
            var smol = AdapterTestServer.smol
            smol.adapters[1].tier = 2                        // peft: tier 2
            try await AdapterTestServer.app(models: [smol], routing: routing).test(.router) { client in
                let complex = "Explain step by step why merge sort is stable, then write a function for it."
                let hard = try await client.post("/v1/chat/completions", json: #"{"max_tokens":4,"temperature":0,"messages":[{"role":"user","content":"\#(complex)"}]}"#)
                #expect(hard.status == .ok, "\(hard.text)")
                #expect(hard.json["model"] as? String == "smollm2-135m:peft")
                #expect(hard.header("X-GroupQwen-Tier") == "2")
                #expect(hard.adapterInfo.first?["id"] as? String == "peft")
                #expect((hard.json["groupqwen"] as? [String: Any])?["routed"] as? Bool == true)
                let easy = try await client.post("/v1/chat/completions", json: #"{"max_tokens":4,"temperature":0,"messages":[{"role":"user","content":"Hi!"}]}"#)
                #expect(easy.json["model"] as? String == "smollm2-135m", "\(easy.text)")
                #expect(easy.adapterInfo.isEmpty)
                // qkvo has no tier: it answers when named, never for auto.
                let named = try await client.post("/v1/chat/completions", json: AdapterTestServer.chat(model: "smollm2-135m:qkvo", maxTokens: 4))
                #expect(named.header("X-GroupQwen-Tier") == "1")
                #expect((named.json["groupqwen"] as? [String: Any])?["routed"] as? Bool == false)
            }
        }
    }
}
