import Foundation
import Gateway
@testable import Server
import Testing

extension ServerTests {
    @Suite("MCP configuration")
    struct MCPConfigurationTests {
        @Test("defaults: enabled, memories next to the cache in $GROUPQWEN_HOME, 1 h / 24 h / forever")
        func defaults() throws {
            let c = try ServerConfiguration.parse(yaml: "")
            #expect(c.mcp.enabled)
            #expect(c.mcp.memoryPath?.hasSuffix("/mcp-memory.sqlite") == true)
            #expect(c.mcp.retention == MemoryRetention(ephemeralSeconds: 3600, sessionSeconds: 86_400, permanentSeconds: nil))
        }

        @Test("the mcp block is read; null means no expiry; :memory: means no file")
        func block() throws {
            let c = try ServerConfiguration.parse(yaml: """
                mcp:
                  enabled: false
                  memory_path: ":memory:"
                  ephemeral_ttl_seconds: 60
                  session_ttl_seconds: null
                  permanent_ttl_seconds: 31536000
                """)
            #expect(!c.mcp.enabled)
            #expect(c.mcp.memoryPath == nil)
            #expect(c.mcp.retention == MemoryRetention(ephemeralSeconds: 60, sessionSeconds: nil, permanentSeconds: 31_536_000))
        }

        @Test("a relative memory_path is relative to the configuration file")
        func relativePath() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("c.yaml")
            try "mcp:\n  memory_path: data/memory.sqlite\n".write(to: file, atomically: true, encoding: .utf8)
            let c = try ServerConfiguration.load(path: file.path)
            #expect(c.mcp.memoryPath == folder.appendingPathComponent("data/memory.sqlite").standardized.path)
        }

        @Test("bad lifetimes and unknown keys name the key and line")
        func errors() {
            let invalid = #expect(throws: ServerConfigurationError.self) {
                try ServerConfiguration.parse(yaml: "mcp:\n  session_ttl_seconds: -5\n")
            }
            #expect(invalid?.description.contains("'mcp.session_ttl_seconds' must be a positive number") == true)
            let unknown = #expect(throws: ServerConfigurationError.self) { try ServerConfiguration.parse(yaml: "mcp:\n  memory_file: x\n") }
            #expect(unknown?.description.contains("unknown key 'mcp.memory_file'") == true)
        }
    }
}
