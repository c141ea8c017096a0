import Foundation
import Hummingbird

/// Requires `Authorization: Bearer KEY` with one of the configured keys on every route but `/health` and the
/// web console's static files (`/`, `/ui/…`: they hold no data, and the console asks for a key before it calls
/// the API). With no keys configured it is not installed.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: [String]

    /// Paths answered without a key.
    static func isOpen(_ path: String) -> Bool {
        path == "/health" || path == "/" || path.hasPrefix("/ui/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isOpen(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("you didn't provide an API key; send it as 'Authorization: Bearer YOUR_KEY'")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix) else {
            throw APIError.unauthorized("the Authorization header must read 'Bearer YOUR_KEY'")
        }
        let key = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard Self.accepts(key, keys: keys) else { throw APIError.unauthorized("incorrect API key provided") }
        return try await next(request, context)
    }

    /// Whether `key` is one of `keys`, compared against every key without stopping early so timing reveals nothing.
    static func accepts(_ key: String, keys: [String]) -> Bool {
        var matched = false
        for candidate in keys where constantTimeEqual(candidate, key) { matched = true }
        return matched
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
