import NIOConcurrencyHelpers
import NIOCore

/// Fires once when a connection's client has gone: it closed its side (EOF), reset, or the connection closed.
/// Held by the connection's ``ClientDisconnectHandler``; requests wait on it through
/// ``DisconnectCancellationMiddleware``.
final class ClientDisconnectSignal: Sendable {
    private struct State {
        var gone = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Marks the client gone and wakes every waiter.
    func fire() {
        let waiters = state.withLockedValue { s -> [CheckedContinuation<Void, Never>] in
            guard !s.gone else { return [] }
            s.gone = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    var isGone: Bool { state.withLockedValue { $0.gone } }

    /// Returns once the client has gone, or when the waiting task is cancelled.
    func wait() async {
        let id = state.withLockedValue { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { s -> Bool in
                    if s.gone || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Watches a connection for its client going away (`inputClosed`, inactive) and fires its ``signal``.
final class ClientDisconnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let signal = ClientDisconnectSignal()

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { signal.fire() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        signal.fire()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is IOError { signal.fire() }   // the socket broke (reset)
        context.fireErrorCaught(error)
    }
}
