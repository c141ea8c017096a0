import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import NIOCore

/// `POST /mcp` (and `DELETE /mcp`, `GET /mcp` → 405): the MCP server over streamable HTTP with single JSON
/// responses and `Mcp-Session-Id` sessions (`MCPSessions`). It sits behind `AuthMiddleware` like every API route;
/// the bearer key scopes the caller's memories.
struct MCPController: Sendable {
    static let path = "/mcp"
    let sessions: MCPSessions
    let maxBodyBytes: Int

    init(state: ServerState, logger: Logger = Logger(label: "groupqwen.mcp")) {
        sessions = MCPSessions(service: MCPService(state: state, logger: logger), host: state.configuration.host)
        maxBodyBytes = state.configuration.limits.maxBodyBytes
    }

    /// Adds the `/mcp` routes to `router`.
    func register(on router: Router<ServerRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in try await handle(request, context: context) }
        router.get(RouterPath(Self.path)) { request, context in try await handle(request, context: context) }
        router.delete(RouterPath(Self.path)) { request, context in try await handle(request, context: context) }
    }

    func handle(_ request: Hummingbird.Request, context: some Hummingbird.RequestContext) async throws -> Hummingbird.Response {
        var request = request
        let body = request.method == .post ? try await request.collectBody(upTo: maxBodyBytes) : ByteBuffer()
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        if let authority = request.head.authority { headers["Host"] = authority }
        let mcpRequest = MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: Data(body.readableBytesView),
                                         path: request.uri.path)
        return Self.response(await sessions.handle(mcpRequest))
    }

    /// The SDK's framework-neutral response as a Hummingbird one.
    static func response(_ response: MCP.HTTPResponse) -> Hummingbird.Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: response.statusCode)
        if case let .stream(stream, _) = response {
            return Hummingbird.Response(status: status, headers: fields, body: ResponseBody { writer in
                for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
        }
        let body = response.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
        return Hummingbird.Response(status: status, headers: fields, body: body)
    }
}
