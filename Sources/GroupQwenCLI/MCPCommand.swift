import ArgumentParser
import Foundation
import Server

/// `groupqwen mcp`: the MCP server on stdin/stdout for Claude Desktop, Cursor and other MCP clients.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the models and a memory store to MCP clients over stdio.",
        discussion: """
            Reads JSON-RPC on stdin and answers on stdout (logs go to stderr), with the same configuration as \
            `groupqwen serve`: the same models, routing, semantic cache and memories, answered in-process. Tools: chat, \
            embed, memory_store, memory_search, memory_delete, list_models, cache_stats. Memories belong to the key given \
            by --scope (or $GROUPQWEN_API_KEY; otherwise the scope "default"): the same key over HTTP (/mcp) reaches \
            the same memories.
            """)

    @Option(help: "YAML configuration file, as for `groupqwen serve` (see the README's Configuration section).")
    var config: String?

    @Option(name: [.customLong("scope"), .customLong("api-key")],
            help: "The API key whose memories this client uses (default: $GROUPQWEN_API_KEY, else \"default\").")
    var scope: String?

    @Option(help: "Forward-pass threads per model (default: all cores; overrides the configuration).")
    var threads: Int?

    func run() async throws {
        try await reportingErrors {
            var configuration = try ServeCommand.loadConfiguration(config)
            if let threads { configuration.threads = threads }
            let key = scope ?? ProcessInfo.processInfo.environment["GROUPQWEN_API_KEY"]
            try await GroupQwenMCP.runStdio(configuration: configuration, apiKey: key)
        }
    }
}
