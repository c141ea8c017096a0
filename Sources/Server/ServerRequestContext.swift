import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basic context plus the connection's channel, through
/// which ``DisconnectCancellationMiddleware`` learns that the client has gone.
struct ServerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection; nil where a test framework gives none.
    let channel: (any Channel)?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
