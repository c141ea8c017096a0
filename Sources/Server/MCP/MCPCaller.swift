import Foundation
import Gateway
import HTTPTypes
import MCP

/// Who is calling an MCP tool: the memory scope (the SHA-256 of their API key) and the headers the chat path sees
/// (`Authorization`, so semantic-cache answers never cross keys, as over `/v1/chat/completions`).
struct MCPCaller: Sendable {
    let scope: MemoryScope
    let headers: HTTPFields

    /// A stdio client: the key given by `--scope` / `GROUPQWEN_API_KEY`, else the anonymous scope.
    static func stdio(apiKey: String?) -> MCPCaller {
        guard let apiKey, !apiKey.isEmpty else { return MCPCaller(scope: .anonymous, headers: HTTPFields()) }
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(apiKey)"
        return MCPCaller(scope: MemoryScope(apiKey: apiKey), headers: headers)
    }

    /// An HTTP client: the bearer key of its request (already checked by `AuthMiddleware` when keys are
    /// configured), else the anonymous scope.
    static func http(authorization: String?) -> MCPCaller {
        MCPCaller.stdio(apiKey: bearerKey(authorization))
    }

    /// The caller of the MCP request being handled, read from the HTTP request the transport received.
    static func current() -> MCPCaller {
        http(authorization: MCP.Server.currentHandlerContext?.httpContext?.header("Authorization"))
    }

    /// The key of `Authorization: Bearer KEY`; nil for anything else.
    static func bearerKey(_ header: String?) -> String? {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
        let key = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        return key.isEmpty ? nil : key
    }
}
