import Foundation
import Gateway
import MCP

/// The MCP sessions of `/mcp` (streamable HTTP, answered with single JSON responses).
///
/// An `initialize` POST without `Mcp-Session-Id` opens a session: its own `MCP.Server` on the SDK's
/// `StatelessHTTPServerTransport`, named by a fresh id returned in `Mcp-Session-Id`. Later requests carry that
/// header; a session is only reachable with the API key that opened it (another key gets 404, as an unknown id).
/// `DELETE` ends a session; `GET` (a server-to-client event stream) is 405: this server sends no notifications.
/// Beyond `maxSessions` the least recently used session is closed.
actor MCPSessions {
    struct Session {
        let server: MCP.Server
        let transport: StatelessHTTPServerTransport
        let owner: MemoryScope
        var lastUsed: Date
    }

    static let sessionHeader = HTTPHeaderName.sessionID   // "MCP-Session-Id" (header names ignore case)
    let service: MCPService
    let maxSessions: Int
    private let validation: any HTTPRequestValidationPipeline
    private var sessions: [String: Session] = [:]

    /// `host`: the configured listen address; on a loopback address requests must come from a local origin (DNS
    /// rebinding protection), elsewhere `Host` and `Origin` are not checked.
    init(service: MCPService, host: String, maxSessions: Int = 256) {
        self.service = service
        self.maxSessions = maxSessions
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host)
        validation = StandardValidationPipeline(validators: [
            loopback ? Self.localOrigins : OriginValidator.disabled,
            AcceptHeaderValidator(mode: .jsonOnly),
            ContentTypeValidator(),
            ProtocolVersionValidator(),
        ])
    }

    /// `Host` and `Origin` of a loopback server: 127.0.0.1, localhost or [::1], with any port or none (port 80).
    static let localOrigins: OriginValidator = {
        let hosts = ["127.0.0.1", "localhost", "[::1]"]
        return OriginValidator(allowedHosts: hosts + hosts.map { $0 + ":*" },
                               allowedOrigins: hosts.flatMap { ["http://\($0)", "http://\($0):*", "https://\($0)", "https://\($0):*"] })
    }()

    /// Answers one HTTP request to `/mcp`.
    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        let caller = MCPCaller.http(authorization: request.header("Authorization"))
        let method = request.method.uppercased()
        guard let id = request.header(Self.sessionHeader) else {
            guard method == "POST" else { return Self.methodNotAllowed(session: nil) }
            guard Self.isInitialize(request.body) else {
                return .error(statusCode: 400, .invalidRequest("Bad Request: Mcp-Session-Id header is required (initialize first)"))
            }
            return await open(request, owner: caller.scope)
        }
        guard let session = sessions[id], session.owner == caller.scope else {
            return .error(statusCode: 404, .invalidRequest("Not Found: unknown or closed session; initialize a new one"))
        }
        sessions[id]?.lastUsed = Date()
        switch method {
        case "POST":
            return Self.withSession(id, await session.transport.handleRequest(request))
        case "DELETE":
            sessions[id] = nil
            await session.server.stop()
            return .ok(headers: [Self.sessionHeader: id])
        default:
            return Self.methodNotAllowed(session: id)
        }
    }

    private func open(_ request: MCP.HTTPRequest, owner: MemoryScope) async -> MCP.HTTPResponse {
        let transport = StatelessHTTPServerTransport(validationPipeline: validation)
        let server = await service.makeServer(caller: { MCPCaller.current() })
        do {
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("the MCP session could not start: \(error)"))
        }
        let response = await transport.handleRequest(request)
        guard response.statusCode == 200 else {
            await server.stop()
            return response
        }
        let id = UUID().uuidString.lowercased()
        sessions[id] = Session(server: server, transport: transport, owner: owner, lastUsed: Date())
        while sessions.count > maxSessions, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            sessions[oldest.key] = nil
            await oldest.value.server.stop()
        }
        return Self.withSession(id, response)
    }

    /// Whether `body` is a JSON-RPC `initialize` request.
    static func isInitialize(_ body: Data?) -> Bool {
        guard let body, let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return object["method"] as? String == "initialize" && object["id"] != nil
    }

    static func methodNotAllowed(session: String?) -> MCP.HTTPResponse {
        .error(statusCode: 405, .invalidRequest("Method Not Allowed: /mcp takes POST (and DELETE to end a session)"),
               sessionID: session, extraHeaders: ["Allow": "POST, DELETE"])
    }

    /// `response` with the `Mcp-Session-Id` header.
    static func withSession(_ id: String, _ response: MCP.HTTPResponse) -> MCP.HTTPResponse {
        switch response {
        case let .accepted(headers): return .accepted(headers: headers.merging([sessionHeader: id]) { $1 })
        case let .ok(headers): return .ok(headers: headers.merging([sessionHeader: id]) { $1 })
        case let .data(data, headers): return .data(data, headers: headers.merging([sessionHeader: id]) { $1 })
        case let .stream(stream, headers): return .stream(stream, headers: headers.merging([sessionHeader: id]) { $1 })
        case let .error(status, error, _, extra): return .error(statusCode: status, error, sessionID: id, extraHeaders: extra)
        }
    }
}
