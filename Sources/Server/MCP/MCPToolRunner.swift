import Foundation
import Gateway
import Logging
import MCP

/// Runs one MCP tool call for one caller (`MCPToolCatalog` lists the tools).
///
/// Errors are mapped here, in one place: a bad argument, an unknown tool, model or memory id, or a request the chat
/// path rejects (an OpenAI 4xx) is a JSON-RPC error `-32602` (invalid params) naming the problem; a failure on the
/// server's side (a model that cannot load, a full queue, storage) is a tool result with `isError: true` and the
/// message, so the calling model can read it.
struct MCPToolRunner: Sendable {
    let service: MCPService
    let caller: MCPCaller

    var state: ServerState { service.state }

    func call(_ params: CallTool.Parameters) async throws -> CallTool.Result {
        let arguments = MCPArguments(tool: params.name, params.arguments)
        do {
            switch params.name {
            case "chat": return try await chat(arguments)
            case "embed": return try await embed(arguments)
            case "memory_store": return try await memoryStore(arguments)
            case "memory_search": return try await memorySearch(arguments)
            case "memory_delete": return try await memoryDelete(arguments)
            case "list_models":
                try arguments.allow(only: [])
                return Self.result(JSONCoding.encodeData(await ModelsController(state: state).modelList()))
            case "cache_stats":
                try arguments.allow(only: [])
                return Self.result(JSONCoding.encodeData(await CacheController(state: state).statistics()))
            default:
                throw MCPError.invalidParams("unknown tool '\(params.name)'; tools: \(MCPToolCatalog.tools.map(\.name).joined(separator: ", "))")
            }
        } catch {
            return try Self.failure(error, tool: params.name, logger: service.logger)
        }
    }

    /// The one mapping of errors to MCP: throws `MCPError` for what the caller got wrong, returns an `isError`
    /// result for what failed on the server.
    static func failure(_ error: any Error, tool: String, logger: Logger) throws -> CallTool.Result {
        switch error {
        case let error as MCPError:
            throw error
        case let error as MemoryStoreError:
            if case .storage = error {
                logger.error("mcp memory storage failed", metadata: ["tool": .string(tool), "error": .string(error.description)])
                return CallTool.Result(content: [Self.text(error.description)], isError: true)
            }
            throw MCPError.invalidParams("\(tool): \(error.description)")
        default:
            let api = APIError.from(error)
            if (400..<500).contains(api.status.code), api.status.code != 429 {
                throw MCPError.invalidParams("\(tool): \(api.message)")
            }
            logger.warning("mcp tool failed", metadata: ["tool": .string(tool), "status": .stringConvertible(api.status.code),
                                                          "error": .string(api.message)])
            return CallTool.Result(content: [Self.text("\(tool) failed: \(api.message)")], isError: true)
        }
    }

    /// A result whose structured content is the JSON object `json`, also given as text (for clients that only read text).
    static func result(_ json: Data, summary: String? = nil) -> CallTool.Result {
        let text = String(decoding: json, as: UTF8.self)
        let structured = try? JSONDecoder().decode(Value.self, from: json)
        let content: [Tool.Content] = (summary.map { [Self.text($0)] } ?? []) + [Self.text(text)]
        return CallTool.Result(content: content, structuredContent: structured)
    }

    /// A plain text content block.
    static func text(_ text: String) -> Tool.Content { .text(text: text, annotations: nil, _meta: nil) }

    /// `object` (JSONSerialization types) as a result.
    static func result(object: [String: Any], summary: String? = nil) throws -> CallTool.Result {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return result(data, summary: summary)
    }
}
