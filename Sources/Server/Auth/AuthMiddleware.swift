import Foundation
import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer KEY` with one of the configured keys on every route but `/health` and the
/// web console's static files (`/`, `/ui/…`: they hold no data, and the console asks for a key before it calls
/// the API). With no keys configured it is not installed.
///
/// It then applies the key's scope (a `user` key gets 403 on the admin routes) and its quota (429 with
/// `Retry-After` and OpenAI's `x-ratelimit-*` headers on the metered routes), and runs the request as that
/// ``APICaller``, so files, jobs, cache entries and memories are the key's own.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: [APIKeyEntry]
    private let quotas: [String: KeyQuota]

    init(keys: [APIKeyEntry]) {
        self.keys = keys
        var quotas: [String: KeyQuota] = [:]
        for key in keys where key.requestsPerMinute != nil || key.tokensPerMinute != nil {
            quotas[key.sha256] = KeyQuota(requestsPerMinute: key.requestsPerMinute, tokensPerMinute: key.tokensPerMinute)
        }
        self.quotas = quotas
    }

    /// Paths answered without a key.
    static func isOpen(_ path: String) -> Bool {
        path == "/health" || path == "/" || path.hasPrefix("/ui/")
    }

    /// Routes only `admin` keys may call: loading models, adapters, experts' deployments, clearing the cache, metrics.
    static func requiresAdmin(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        if path == "/metrics" || path.hasPrefix("/v1/metrics/") || path == "/v1/cache/stats" { return true }
        switch method {
        case .post:
            return path.hasPrefix("/v1/models/") || path == "/v1/adapters" || path.hasPrefix("/v1/experts/")
        case .delete:
            return path.hasPrefix("/v1/adapters/") || path == "/v1/cache"
        default:
            return false
        }
    }

    /// Routes counted against a key's quota: the ones that run models.
    static func isMetered(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        method == .post && ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/vision/analyze", "/v1/translate", "/mcp"]
            .contains(path)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if Self.isOpen(path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("you didn't provide an API key; send it as 'Authorization: Bearer YOUR_KEY'")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix) else {
            throw APIError.unauthorized("the Authorization header must read 'Bearer YOUR_KEY'")
        }
        let presented = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard let key = Self.entry(for: presented, in: keys) else { throw APIError.unauthorized("incorrect API key provided") }
        if key.scope != .admin, Self.requiresAdmin(request.method, path) {
            throw APIError.forbidden("the API key '\(key.name)' has the scope 'user', which may not call \(request.method.rawValue) \(path)")
        }
        let quota = quotas[key.sha256]
        var status: KeyQuota.Status?
        if let quota, Self.isMetered(request.method, path) {
            let now = quota.admit()
            guard now.admitted else { throw Self.rateLimited(key: key, quota: quota, status: now) }
            status = now
        }
        var response = try await APICaller.$current.withValue(APICaller(key: key, quota: quota)) {
            try await next(request, context)
        }
        if let quota, let status {
            for (name, value) in Self.rateLimitHeaders(quota: quota, status: status) {
                if let field = HTTPField.Name(name) { response.headers[field] = value }
            }
        }
        return response
    }

    /// OpenAI's rate-limit headers for `status`.
    static func rateLimitHeaders(quota: KeyQuota, status: KeyQuota.Status) -> [String: String] {
        var headers: [String: String] = [:]
        if let limit = quota.requestsPerMinute {
            headers["x-ratelimit-limit-requests"] = String(limit)
            headers["x-ratelimit-remaining-requests"] = String(status.remainingRequests ?? 0)
            headers["x-ratelimit-reset-requests"] = Self.duration(status.requestsReset)
        }
        if let limit = quota.tokensPerMinute {
            headers["x-ratelimit-limit-tokens"] = String(limit)
            headers["x-ratelimit-remaining-tokens"] = String(status.remainingTokens ?? 0)
            headers["x-ratelimit-reset-tokens"] = Self.duration(status.tokensReset)
        }
        return headers
    }

    static func rateLimited(key: APIKeyEntry, quota: KeyQuota, status: KeyQuota.Status) -> APIError {
        let which = status.requestsReset > 0 ? "requests per minute (\(quota.requestsPerMinute ?? 0))"
                                             : "tokens per minute (\(quota.tokensPerMinute ?? 0))"
        var error = APIError(status: .tooManyRequests,
                             message: "rate limit reached for the API key '\(key.name)': \(which); retry in \(duration(status.retryAfter))",
                             type: "rate_limit_error", code: "rate_limit_exceeded", retryAfter: max(1, Int(status.retryAfter.rounded(.up))))
        error.headers = rateLimitHeaders(quota: quota, status: status)
        return error
    }

    /// OpenAI's reset format: `1s`, `6m0s`, `250ms`.
    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded(.up)))ms" }
        let whole = Int(seconds.rounded(.up))
        return whole >= 60 ? "\(whole / 60)m\(whole % 60)s" : "\(whole)s"
    }

    /// The entry whose hash matches `key`'s, comparing against every entry without stopping early so timing
    /// reveals nothing.
    static func entry(for key: String, in keys: [APIKeyEntry]) -> APIKeyEntry? {
        let hash = APIKeyEntry.hash(key)
        var found: APIKeyEntry?
        for candidate in keys where constantTimeEqual(candidate.sha256, hash) { found = candidate }
        return found
    }

    /// Whether `key` is one of `keys`.
    static func accepts(_ key: String, keys: [APIKeyEntry]) -> Bool { entry(for: key, in: keys) != nil }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
