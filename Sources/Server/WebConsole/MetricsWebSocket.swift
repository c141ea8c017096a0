import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// `/v1/ws/metrics`: a WebSocket that pushes a ``LiveSnapshot`` as a JSON text message every `interval` until
/// the client closes it or the server stops.
///
/// With `api_keys` configured the upgrade needs a key: `Authorization: Bearer KEY`, or, from a browser (which
/// cannot set headers on a WebSocket), the subprotocol `bearer.<base64url(KEY)>` offered beside `groupqwen.v1`.
/// A refused upgrade is not upgraded: the request goes on to the router, which answers 401 (wrong or missing key)
/// or 426 (a plain GET).
struct MetricsWebSocket: Sendable {
    static let path = "/v1/ws/metrics"
    static let subprotocol = "groupqwen.v1"
    private static let bearerPrefix = "bearer."

    let state: ServerState
    var interval: Duration = .seconds(1)

    /// The upgrade decision for `request`.
    func shouldUpgrade(_ request: HTTPRequest) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let path = request.path, path.split(separator: "?", maxSplits: 1).first == Substring(Self.path) else {
            return .dontUpgrade
        }
        let offered = request.headerFields[values: .secWebSocketProtocol]
            .flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if !state.configuration.apiKeys.isEmpty {
            let keys = state.configuration.apiKeys
            let fromHeader = request.headerFields[.authorization].flatMap(Self.bearerKey)
            let fromProtocol = offered.first { $0.hasPrefix(Self.bearerPrefix) }.flatMap { Self.decodeBase64URL($0.dropFirst(Self.bearerPrefix.count)) }
            guard let presented = fromHeader ?? fromProtocol,
                  AuthMiddleware<ServerRequestContext>.entry(for: presented, in: keys)?.scope == .admin else {
                return .dontUpgrade
            }
        }
        var headers = HTTPFields()
        if offered.contains(Self.subprotocol) { headers[.secWebSocketProtocol] = Self.subprotocol }
        return .upgrade(headers) { inbound, outbound, context in
            try await self.run(inbound: inbound, outbound: outbound, logger: context.logger)
        }
    }

    /// Sends snapshots until the client goes (its close frame ends `inbound`) or a graceful shutdown begins.
    private func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Reading answers pings and notices the close; messages from the client are ignored.
                    for try await _ in inbound {}
                }
                group.addTask {
                    while !Task.isCancelled {
                        let snapshot = await LiveSnapshot.current(self.state)
                        try await outbound.write(.text(String(decoding: JSONCoding.encodeData(snapshot), as: UTF8.self)))
                        try await Task.sleep(for: self.interval)
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The key of an `Authorization: Bearer KEY` value.
    static func bearerKey(_ header: String) -> String? {
        let prefix = "bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix) else { return nil }
        return header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
    }

    /// Decodes unpadded Base64URL (RFC 4648 §5) as UTF-8.
    static func decodeBase64URL(_ text: Substring) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).flatMap { String(data: $0, encoding: .utf8) }
    }
}
