import Foundation
import Gateway
import Logging
import MCP

/// The MCP server over stdio (`groupqwen mcp`), for Claude Desktop, Cursor and other clients that spawn it: the
/// same models, routing, semantic cache, experts and memories as `groupqwen serve` with the same configuration,
/// answered in-process (no HTTP). Logs go to stderr; stdout carries only JSON-RPC.
public enum GroupQwenMCP {
    /// Why `groupqwen mcp` cannot start.
    public struct Disabled: Error, CustomStringConvertible {
        public var description: String { "MCP is disabled in this configuration (mcp.enabled: false)" }
    }

    /// Serves MCP on stdin/stdout until the client closes stdin. Memories are scoped by `apiKey` (nil or empty: the
    /// anonymous scope `default`), the key an HTTP client would send, so both reach the same memories.
    public static func runStdio(configuration: ServerConfiguration, apiKey: String?) async throws {
        try configuration.validate()
        guard configuration.mcp.enabled else { throw Disabled() }
        let logger = Logger(label: "groupqwen.mcp", factory: { StreamLogHandler.standardError(label: $0) })
        let pool = ModelPool(configuration: configuration.poolConfiguration)
        let adapters = try await AdapterRegistry.load(models: configuration.models, pool: pool)
        let cache = configuration.cache.enabled ? try await SemanticCache(configuration: configuration.cache) : nil
        let experts = configuration.experts.enabled ? try ExpertRegistry(path: configuration.training.databasePath) : nil
        let state = ServerState(configuration: configuration, pool: pool, starting: false, cache: cache, adapters: adapters,
                                fineTuning: nil, expertRegistry: experts)
        if let service = state.experts {
            do { try await service.start() } catch {
                logger.warning("no experts served: the live expert release cannot be loaded", metadata: ["error": .string("\(error)")])
            }
        }
        // The models marked `preload` load before the handshake (the pool takes no requests until they are in).
        await pool.preload()

        let service = MCPService(state: state, logger: logger)
        let caller = MCPCaller.stdio(apiKey: apiKey)
        let server = await service.makeServer(caller: { caller })
        try await server.start(transport: StdioTransport(logger: logger))
        logger.info("groupqwen mcp: serving on stdio", metadata: ["scope": .string(caller.scope.description)])
        await server.waitUntilCompleted()
        await pool.shutdown(cancelInFlight: false)
    }
}
