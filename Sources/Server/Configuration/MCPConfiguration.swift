import Foundation
import Gateway
import ModelStore

/// The `mcp:` section: the MCP server (`POST /mcp` and `groupqwen mcp`) and its memory store.
///
/// ```yaml
/// mcp:
///   enabled: true                 # false: no /mcp route, `groupqwen mcp` refuses to start
///   memory_path: ~/.groupqwen/mcp-memory.sqlite   # ":memory:" keeps memories in memory only
///   ephemeral_ttl_seconds: 3600   # lifetime of `ephemeral` memories
///   session_ttl_seconds: 86400    # lifetime of `session` memories
///   permanent_ttl_seconds: null   # `permanent` memories: kept until deleted (a number sets a lifetime)
/// ```
public struct MCPConfiguration: Sendable, Equatable {
    /// Serve MCP.
    public var enabled: Bool
    /// The memories' SQLite file; `nil`: in memory only. Default `$GROUPQWEN_HOME/mcp-memory.sqlite`, next to the
    /// semantic cache's file.
    public var memoryPath: String?
    /// The lifetime of each preservation level.
    public var retention: MemoryRetention

    public init(enabled: Bool = true, memoryPath: String? = MCPConfiguration.defaultMemoryPath,
                retention: MemoryRetention = MemoryRetention()) {
        self.enabled = enabled
        self.memoryPath = memoryPath
        self.retention = retention
    }

    /// `$GROUPQWEN_HOME/mcp-memory.sqlite`.
    public static var defaultMemoryPath: String { ModelStore().home.appendingPathComponent("mcp-memory.sqlite").path }

    /// Makes a relative `memory_path` relative to `directory` (the configuration file's folder).
    mutating func resolvePaths(relativeTo directory: URL) {
        if let path = memoryPath, !path.hasPrefix("/") { memoryPath = directory.appendingPathComponent(path).standardized.path }
    }

    /// Every lifetime, when set, is a positive finite number.
    func validate() throws(ServerConfigurationError) {
        let levels: [(String, Double?)] = [("ephemeral", retention.ephemeralSeconds), ("session", retention.sessionSeconds),
                                           ("permanent", retention.permanentSeconds)]
        for (level, seconds) in levels {
            if let seconds, !(seconds.isFinite && seconds > 0) {
                throw .invalid(key: "mcp.\(level)_ttl_seconds", message: "must be a positive number of seconds (or null: no expiry)",
                               line: nil)
            }
        }
    }
}

extension MCPConfiguration: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled
        case memoryPath = "memory_path"
        case ephemeralTTLSeconds = "ephemeral_ttl_seconds"
        case sessionTTLSeconds = "session_ttl_seconds"
        case permanentTTLSeconds = "permanent_ttl_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = MCPConfiguration()
        s.enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? s.enabled
        if let path = try c.decodeIfPresent(String.self, forKey: .memoryPath) {
            s.memoryPath = path == ":memory:" ? nil : (path as NSString).expandingTildeInPath
        }
        // A key that is present but null means "no expiry".
        func ttl(_ key: CodingKeys, _ fallback: Double?) throws -> Double? {
            c.contains(key) ? try c.decodeIfPresent(Double.self, forKey: key) : fallback
        }
        s.retention = MemoryRetention(ephemeralSeconds: try ttl(.ephemeralTTLSeconds, s.retention.ephemeralSeconds),
                                      sessionSeconds: try ttl(.sessionTTLSeconds, s.retention.sessionSeconds),
                                      permanentSeconds: try ttl(.permanentTTLSeconds, s.retention.permanentSeconds))
        self = s
    }
}
