import Foundation
import Hummingbird

/// Rejects bodies above the configured size with 413: at once when `Content-Length` says so, and
/// otherwise while collecting the body (chunked uploads), which it then hands on in one buffer.
///
/// POSTs to `streamedPaths` (file uploads) pass untouched: their handlers stream the body under their own limit.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int
    var streamedPaths: Set<String> = []

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post, streamedPaths.contains(request.uri.path) { return try await next(request, context) }
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared.trimmingCharacters(in: .whitespaces)), length >= 0 else {
                throw APIError.invalidParameter("the Content-Length header is not a number", param: nil)
            }
            guard length <= maxBytes else { throw APIError.bodyTooLarge(limit: maxBytes) }
        }
        var request = request
        request.body = RequestBody(buffer: try await Self.collect(request.body, limit: maxBytes))
        return try await next(request, context)
    }

    /// The whole body in one buffer; throws 413 as soon as it grows past `limit`.
    static func collect(_ body: RequestBody, limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await chunk in body {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw APIError.bodyTooLarge(limit: limit) }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        return collected
    }
}
