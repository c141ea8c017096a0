import NIOCore
import NIOHTTPTypes

/// Keeps a connection from being held when the server answers before the request has ended — a 413 for a body
/// over the limit, a 400 during the body read.
///
/// Left alone, the HTTP server would either stop reading (with `Connection: close`: the client, still uploading,
/// blocks until its own timeout; Python's `urllib` waits 60 s) or read the whole body, however large. Instead,
/// once the answer's end is written, the rest of the body is read and dropped, like nginx's lingering close, for
/// at most ``ConnectionGuard/lingerTime`` and ``ConnectionGuard/lingerBytes``; past either, the connection closes.
/// The client finishes its upload, reads the answer and the connection is released.
final class EarlyAnswerDrainHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let policy: ConnectionGuard
    /// Between a request's head and its end.
    private var requestOpen = false
    /// Dropping the rest of a body whose answer has been sent.
    private var draining = false
    private var drained = 0
    private var deadline: Scheduled<Void>?

    init(policy: ConnectionGuard) {
        self.policy = policy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestOpen = true
            context.fireChannelRead(data)
        case .body(let chunk):
            guard draining else { return context.fireChannelRead(data) }
            drained += chunk.readableBytes
            if drained > policy.lingerBytes { close(context: context) }
        case .end:
            requestOpen = false
            if draining {
                draining = false
                deadline?.cancel()
                deadline = nil
            }
            context.fireChannelRead(data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if draining { context.read() }   // nobody downstream asks for more while the body is dropped
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), requestOpen, !draining {
            draining = true
            drained = 0
            deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: policy.lingerTime) { [self] in
                deadline = nil
                if draining { close(context: context) }
            }
            context.read()
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    private func close(context: ChannelHandlerContext) {
        draining = false
        deadline?.cancel()
        deadline = nil
        context.close(promise: nil)
    }
}
