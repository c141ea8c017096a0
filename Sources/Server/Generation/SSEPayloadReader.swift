import AsyncHTTPClient
import NIOCore

/// Reads the `data:` payloads of a Server-Sent Events body one by one (`[DONE]` ends the stream).
///
/// A class so a stream can be read partly before a response is built (to judge its first tokens) and
/// then handed on to the response body; it is only ever used by one task at a time.
final class SSEPayloadReader: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var pending = ""
    private var finished = false
    /// Whether the stream ended with `[DONE]` (false: the body just stopped).
    private(set) var sawDone = false

    init(_ body: HTTPClientResponse.Body) {
        iterator = body.makeAsyncIterator()
    }

    /// The next payload, or nil at `[DONE]` or the end of the body. Events without `data:` are skipped.
    func next() async throws -> Substring? {
        while !finished {
            if let end = pending.range(of: "\n\n") {
                let event = pending[..<end.lowerBound]
                defer { pending.removeSubrange(..<end.upperBound) }
                guard event.hasPrefix("data: ") else { continue }
                let payload = event.dropFirst(6)
                if payload == "[DONE]" {
                    finished = true
                    sawDone = true
                    return nil
                }
                return Substring(String(payload))
            }
            guard let buffer = try await iterator.next() else {
                finished = true
                return nil
            }
            pending += String(buffer: buffer)
        }
        return nil
    }
}
