import Gateway
import Logging
import MCP

/// The MCP server's shared part, the same for stdio (`groupqwen mcp`) and HTTP (`/mcp`): the server state the tools
/// answer from and the memory store (opened on first use), and the factory of one `MCP.Server` per client
/// connection with its tools and resources.
final class MCPService: Sendable {
    /// The name and version the server reports in `initialize`.
    static let serverName = "groupqwen"
    static let serverVersion = "1.0.0"
    static let instructions = """
        GroupQwen runs language models locally. Use `chat` to ask them (model "auto" routes by difficulty), `embed` for \
        MiniLM sentence embeddings, and memory_store / memory_search / memory_delete to keep facts across conversations \
        (memories belong to your API key). list_models and cache_stats describe the server.
        """

    let state: ServerState
    let logger: Logger
    private let memory = LockedValue<Result<MemoryStore, MemoryStoreError>?>(nil)

    init(state: ServerState, logger: Logger) {
        self.state = state
        self.logger = logger
    }

    /// The memory store of `mcp.memory_path`, opened on the first call (a failure to open is reported on every call).
    func memoryStore() throws(MemoryStoreError) -> MemoryStore {
        var result: Result<MemoryStore, MemoryStoreError>!
        memory.update { cached in
            if cached == nil {
                let configuration = state.configuration.mcp
                do throws(MemoryStoreError) {
                    cached = .success(try MemoryStore(path: configuration.memoryPath, retention: configuration.retention,
                                                      embeddings: state.embeddings))
                } catch {
                    cached = .failure(error)
                }
            }
            result = cached
        }
        return try result.get()
    }

    /// A new MCP server for one client; `caller` tells each tool call whose it is (fixed over stdio, read from the
    /// HTTP request over `/mcp`).
    func makeServer(caller: @escaping @Sendable () -> MCPCaller) async -> MCP.Server {
        let server = MCP.Server(name: Self.serverName, version: Self.serverVersion, instructions: Self.instructions,
                                capabilities: .init(resources: .init(subscribe: false, listChanged: false),
                                                    tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: MCPToolCatalog.tools) }
        await server.withMethodHandler(CallTool.self) { [self] params in
            try await MCPToolRunner(service: self, caller: caller()).call(params)
        }
        await server.withMethodHandler(ListResources.self) { [self] _ in
            try await MCPResources(service: self, caller: caller()).list()
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: MCPResources.templates)
        }
        await server.withMethodHandler(ReadResource.self) { [self] params in
            try await MCPResources(service: self, caller: caller()).read(params.uri)
        }
        return server
    }
}
