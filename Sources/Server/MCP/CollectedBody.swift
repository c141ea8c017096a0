import Foundation
import Hummingbird
import NIOCore

/// The body of a Hummingbird `Response` produced in-process (the MCP server's `chat` tool calls the chat
/// controller directly), gathered into one buffer up to a limit.
final class CollectedBody: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ByteBuffer()
    private var overflowed = false
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Writes `response`'s body into a fresh collector and returns its bytes; throws when it is larger than `limit`.
    static func collect(_ response: Response, limit: Int = 64 << 20) async throws -> Data {
        let body = CollectedBody(limit: limit)
        try await response.body.write(Writer(target: body))
        return try body.data()
    }

    func data() throws -> Data {
        try lock.withLock {
            if overflowed { throw APIError(status: .internalServerError, message: "the answer is larger than \(limit) bytes",
                                           type: "server_error", code: "response_too_large") }
            return Data(buffer.readableBytesView)
        }
    }

    fileprivate func append(_ part: ByteBuffer) {
        lock.withLock {
            guard !overflowed else { return }
            if buffer.readableBytes + part.readableBytes > limit { overflowed = true; return }
            var part = part
            buffer.writeBuffer(&part)
        }
    }

    /// The `ResponseBodyWriter` handed to `ResponseBody.write`: appends every buffer to its `CollectedBody`.
    struct Writer: ResponseBodyWriter {
        let target: CollectedBody

        mutating func write(_ buffer: ByteBuffer) async throws { target.append(buffer) }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
