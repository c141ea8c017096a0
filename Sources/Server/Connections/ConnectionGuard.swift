import NIOConcurrencyHelpers
import NIOCore

/// The server's connection policy, shared by every connection's ``ConnectionGuardHandler``: how many may be
/// open at once, how long a new connection may take to send its first request head, and how long the server
/// lingers after an early answer (a 413 before the body was read) to read and drop the rest of the upload.
final class ConnectionGuard: Sendable {
    /// Most connections open at once; the next one is answered 503 and closed.
    let maxConnections: Int
    /// Seconds a new connection has to send its first complete request head (then 408 and closed).
    let headerTimeout: TimeAmount
    /// After an answer sent before its request ended, the rest of the body is read and dropped for at most this
    /// long and ``lingerBytes`` bytes, so a client still uploading gets to read the answer; then the connection closes.
    let lingerTime: TimeAmount
    let lingerBytes: Int
    private let counts = NIOLockedValueBox((open: 0, rejected: 0))

    init(maxConnections: Int, headerTimeout: TimeAmount, lingerTime: TimeAmount = .seconds(2), lingerBytes: Int = 64 << 20) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.lingerTime = lingerTime
        self.lingerBytes = lingerBytes
    }

    /// Connections open now.
    var openConnections: Int { counts.withLockedValue { $0.open } }
    /// Connections turned away by the cap since start.
    var rejectedConnections: Int { counts.withLockedValue { $0.rejected } }

    /// Counts a new connection in; false (and counted as rejected) when the cap is reached.
    func admit() -> Bool {
        counts.withLockedValue { c in
            guard c.open < maxConnections else {
                c.rejected += 1
                return false
            }
            c.open += 1
            return true
        }
    }

    /// An admitted connection closed.
    func release() {
        counts.withLockedValue { $0.open -= 1 }
    }
}
