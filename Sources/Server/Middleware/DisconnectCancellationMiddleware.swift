import Hummingbird
import NIOCore

/// Cancels a request's work when its client goes away before the response is returned: a non-streamed
/// generation stops at its next step (the scheduler ends a sequence whose waiting task is cancelled), a
/// request forwarded to a remote backend is cancelled upstream (AsyncHTTPClient follows task cancellation).
/// Streamed responses are returned at once and notice a gone client when a write fails.
///
/// Applies to POSTs, where the work is; the connection's ``ClientDisconnectHandler`` says when the client left.
struct DisconnectCancellationMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let signal = await Self.signal(of: context.channel) else {
            return try await next(request, context)
        }
        return try await withoutActuallyEscaping(next) { next in
            let work = UncheckedSendableBox(next)
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await work.value(request, context) }
                group.addTask {
                    await signal.wait()
                    return nil
                }
                defer { group.cancelAll() }
                while let outcome = try await group.next() {
                    if let response = outcome { return response }
                    if signal.isGone { break }
                }
                throw CancellationError()
            }
        }
    }

    /// The disconnect signal of the connection, when it has a ``ClientDisconnectHandler``.
    static func signal(of channel: (any Channel)?) async -> ClientDisconnectSignal? {
        guard let channel else { return nil }
        return try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ClientDisconnectHandler.self).signal
        }.get()
    }
}

/// Carries a non-Sendable value into a child task that is awaited before the value's scope ends.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
