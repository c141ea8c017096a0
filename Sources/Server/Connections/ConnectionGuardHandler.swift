import Foundation
import NIOCore

/// The first handler of every connection, before HTTP parsing. It applies the ``ConnectionGuard``:
/// - over the connection cap, it answers `503` (OpenAI's error shape, `Retry-After: 1`) and closes, after
///   reading and dropping what the client sends for up to a second so that the answer is not lost to a reset;
/// - until the first request head is complete (`\r\n\r\n`), a deadline runs: a client that trickles its headers
///   (slowloris) gets `408` and is closed. Later requests on the connection fall under the HTTP idle timeout.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case new
        /// Admitted, the first head not complete; `atLineStart`: the last byte other than `\r` was `\n`.
        case awaitingHead(atLineStart: Bool)
        case admitted
        case rejected
    }

    private let policy: ConnectionGuard
    private var state = State.new
    private var counted = false
    private var deadline: Scheduled<Void>?

    init(policy: ConnectionGuard) {
        self.policy = policy
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            policy.release()
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .rejected:
            return   // dropped: the 503 is on its way and the connection closes
        case .new, .admitted:
            context.fireChannelRead(data)
        case .awaitingHead(let atLineStart):
            let bytes = unwrapInboundIn(data)
            if let now = Self.scanForBlankLine(bytes, atLineStart: atLineStart) {
                state = .awaitingHead(atLineStart: now)
            } else {
                deadline?.cancel()
                deadline = nil
                state = .admitted
            }
            context.fireChannelRead(data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .rejected = state {
            context.read()   // keep draining while the answer goes out
        } else {
            context.fireChannelReadComplete()
        }
    }

    private func start(context: ChannelHandlerContext) {
        guard case .new = state else { return }
        guard policy.admit() else {
            reject(context: context)
            return
        }
        counted = true
        state = .awaitingHead(atLineStart: false)
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: policy.headerTimeout) { [self] in
            deadline = nil
            guard case .awaitingHead = state else { return }
            state = .rejected
            answerAndClose(context: context, status: "408 Request Timeout", type: "invalid_request_error",
                           code: "request_timeout", message: "the request head did not arrive in time")
        }
    }

    private func reject(context: ChannelHandlerContext) {
        state = .rejected
        answerAndClose(context: context, status: "503 Service Unavailable", type: "server_error", code: "too_many_connections",
                       message: "the server has reached its connection limit (\(policy.maxConnections)); retry shortly")
    }

    /// Writes a complete HTTP/1.1 answer, half-closes, and closes for good a second later (or on the client's EOF).
    private func answerAndClose(context: ChannelHandlerContext, status: String, type: String, code: String, message: String) {
        let body = Self.errorJSON(message: message, type: type, code: code)
        var head = "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        head += "Connection: close\r\n"
        if status.hasPrefix("503") { head += "Retry-After: 1\r\n" }
        head += "\r\n"
        var buffer = context.channel.allocator.buffer(capacity: head.utf8.count + body.utf8.count)
        buffer.writeString(head)
        buffer.writeString(body)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
        context.read()
        _ = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: .seconds(1)) {
            context.close(promise: nil)
        }
    }

    /// Scans for the blank line that ends a request head (`\r\n\r\n`, or bare `\n\n` as lenient parsers accept):
    /// nil when found, else whether the scan ends at the start of a line.
    static func scanForBlankLine(_ bytes: ByteBuffer, atLineStart: Bool) -> Bool? {
        var lineStart = atLineStart
        for byte in bytes.readableBytesView {
            switch byte {
            case UInt8(ascii: "\n"):
                if lineStart { return nil }
                lineStart = true
            case UInt8(ascii: "\r"):
                continue
            default:
                lineStart = false
            }
        }
        return lineStart
    }

    static func errorJSON(message: String, type: String, code: String) -> String {
        let object: [String: Any] = ["error": ["message": message, "type": type, "param": NSNull(), "code": code]]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
