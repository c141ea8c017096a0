import HummingbirdCore
import Logging
import NIOCore

/// The server's HTTP/1.1 (+ WebSocket upgrade) channel with a ``ConnectionGuardHandler`` in front of it: every
/// connection is counted against the cap and must send its first request head in time, and a
/// ``ClientDisconnectHandler`` tells its requests when the client has gone.
struct GuardedHTTPChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let policy: ConnectionGuard

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(policy: policy))
            try channel.pipeline.syncOperations.addHandler(ClientDisconnectHandler())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
