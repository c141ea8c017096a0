import Foundation
import Gateway
@testable import Server
import Testing

extension ServerTests {
    @Suite("Server configuration")
    struct ServerConfigurationTests {
        @Test("an empty document gives the defaults")
        func defaults() throws {
            let configuration = try ServerConfiguration.parse(yaml: "")
            #expect(configuration == ServerConfiguration())
            #expect(configuration.host == "127.0.0.1")
            #expect(configuration.port == 8080)
            #expect(configuration.models == ServedModel.defaults)
            #expect(configuration.limits.maxBodyBytes == 1 << 20)
            #expect(configuration.limits.maxQueuedPerModel == 32)
            #expect(configuration.keepAliveSeconds == 300)
            #expect(configuration.apiKeys.isEmpty)
            #expect(configuration.poolConfiguration.prefixCacheBytes == 0)
        }

        @Test("every key is read, snake_case")
        func fullDocument() throws {
            let yaml = """
            host: 0.0.0.0
            port: 9000
            keep_alive_seconds: 60
            memory_budget_mb: 1024
            prefix_cache_mb: 64
            threads: 2
            api_keys: [a, b]
            limits:
              max_body_bytes: 4096
              max_queued_per_model: 4
              max_tokens_default: 256
              request_timeout: 30
            models:
              - id: small
                source: smollm2-135m
                context_length: 1024
                tier: 0
                labels: [chat]
                max_concurrent: 2
                max_queued: 0
                preload: true
              - id: gemma3-270m
            """
            let c = try ServerConfiguration.parse(yaml: yaml)
            #expect(c.host == "0.0.0.0")
            #expect(c.port == 9000)
            #expect(c.keepAliveSeconds == 60)
            #expect(c.memoryBudgetMB == 1024)
            #expect(c.threads == 2)
            #expect(c.apiKeys == ["a", "b"])
            #expect(c.limits == ServerLimits(maxBodyBytes: 4096, maxQueuedPerModel: 4, maxTokensDefault: 256, requestTimeoutSeconds: 30))
            #expect(c.models[0] == ServedModel(id: "small", source: "smollm2-135m", contextLength: 1024, tier: 0, labels: ["chat"],
                                               maxConcurrent: 2, maxQueued: 0, preload: true, capabilities: [.chat, .completion], languages: ["en"]))
            #expect(c.models[1].source == "gemma3-270m")
            #expect(c.models[1].tier == 1)
            #expect(c.poolConfiguration.memoryBudgetBytes == 1024 << 20)
            #expect(c.poolConfiguration.keepAlive == .seconds(60))
            #expect(c.poolConfiguration.maxQueuedPerModel == 4)
            #expect(c.poolConfiguration.prefixCacheBytes == 64 << 20)
            #expect(try ServerConfiguration.parse(yaml: "prefix_cache_mb: 0").poolConfiguration.prefixCacheBytes == 0)
            #expect(try ServerConfiguration.parse(yaml: "keep_alive_seconds: -1").poolConfiguration.keepAlive == nil)
            let drafted = try ServerConfiguration.parse(yaml: "models:\n  - id: big\n    source: qwen2.5-coder-1.5b\n    draft: qwen2.5-coder-0.5b\n    draft_tokens: 2\n")
            #expect(drafted.models[0].draft == "qwen2.5-coder-0.5b" && drafted.models[0].draftTokens == 2)
            let spoken = try ServerConfiguration.parse(yaml: "models:\n  - id: smollm2-135m\n  - id: qwen2.5-coder-0.5b\n  - id: mine\n    source: smollm2-135m\n    languages: [EN, fr]\n")
            #expect(spoken.models.map(\.languages) == [["en"], nil, ["en", "fr"]])
        }

        @Test("the Python client tests' configuration loads")
        func pythonTestConfiguration() throws {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("python/server-config.yaml").path
            let c = try ServerConfiguration.load(path: path)
            #expect(c.models.map(\.id) == ["smollm2", "smollm2-tight"])
            #expect(c.models[1].maxQueued == 0)
            #expect(c.limits.maxBodyBytes == 65536)
        }

        @Test("the Python adapter tests' configuration loads, its adapter paths relative to the file")
        func pythonAdapterConfiguration() throws {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("python/adapter-config.yaml").path
            let c = try ServerConfiguration.load(path: path)
            #expect(c.models[0].adapters.map(\.id) == ["qkvo", "qkvo-half"])
            #expect(c.models[0].adapters[1].scale == 0.5)
            for adapter in c.models[0].adapters {
                #expect(adapter.path.hasPrefix("/") && FileManager.default.fileExists(atPath: adapter.path), "\(adapter.path)")
            }
        }

        @Test("errors are one line naming the key and line")
        func errors() {
            func message(_ yaml: String) -> String {
                do {
                    _ = try ServerConfiguration.parse(yaml: yaml)
                    return "no error"
                } catch {
                    return error.description
                }
            }
            let typo = message("port: 8080\nlimits:\n  max_body_byte: 10\n")
            #expect(typo.contains("unknown key 'limits.max_body_byte'") && typo.contains("line 3"), "\(typo)")
            let type = message("host: x\nport: eighty\n")
            #expect(type.contains("'port'") && type.contains("integer") && type.contains("line 2"), "\(type)")
            let nested = message("models:\n  - id: a\n    max_concurrent: many\n")
            #expect(nested.contains("models[0].max_concurrent") && nested.contains("line 3"), "\(nested)")
            let range = message("models:\n  - id: a\n    max_concurrent: 0\n")
            #expect(range.contains("models[0].max_concurrent") && range.contains("line 3"), "\(range)")
            let missing = message("models:\n  - source: x\n")
            #expect(missing.contains("models[0].id") && missing.contains("required"), "\(missing)")
            let syntax = message("port: [8080\n")
            #expect(syntax.hasPrefix("invalid YAML") && syntax.contains("line"), "\(syntax)")
            let prefix = message("prefix_cache_mb: -5\n")
            #expect(prefix.contains("prefix_cache_mb"), "\(prefix)")
            let draftTokens = message("models:\n  - id: a\n    draft: b\n    draft_tokens: 5\n")
            #expect(draftTokens.contains("models[0].draft_tokens") && draftTokens.contains("1...3"), "\(draftTokens)")
            let remoteDraft = message("models:\n  - id: a\n    url: http://h:1/v1\n    draft: b\n")
            #expect(remoteDraft.contains("models[0].draft") && remoteDraft.contains("local models only"), "\(remoteDraft)")
            let languages = message("models:\n  - id: a\n    languages: [english]\n")
            #expect(languages.contains("models[0].languages") && languages.contains("'english'"), "\(languages)")
            let localVision = message("models:\n  - id: a\n    capabilities: [chat, vision]\n")
            #expect(localVision.contains("models[0].capabilities") && localVision.contains("remote"), "\(localVision)")
            let port = message("port: 70000\n")
            #expect(port.contains("'port'") && port.contains("line 1"), "\(port)")
            for m in [typo, type, nested, range, missing, syntax, port] { #expect(!m.contains("\n"), "\(m)") }
            let unreadable = (try? ServerConfiguration.load(path: "/nonexistent/x.yaml")) == nil
            #expect(unreadable)
        }
    }
}
