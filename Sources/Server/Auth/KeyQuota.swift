import Foundation
import NIOConcurrencyHelpers

/// One key's rate limits over a sliding minute: requests per minute, and prompt + completion tokens per minute.
/// A request is admitted while both have room; tokens are charged when a completion finishes.
final class KeyQuota: Sendable {
    let requestsPerMinute: Int?
    let tokensPerMinute: Int?
    private let window: TimeInterval = 60
    private let state = NIOLockedValueBox<(requests: [TimeInterval], tokens: [(at: TimeInterval, count: Int)])>(([], []))

    init(requestsPerMinute: Int?, tokensPerMinute: Int?) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// The `x-ratelimit-*` numbers at one moment.
    struct Status: Sendable {
        var remainingRequests: Int?
        var remainingTokens: Int?
        /// Seconds until a request, or a token, is free again (0 when free now).
        var requestsReset: TimeInterval
        var tokensReset: TimeInterval
        var admitted: Bool
        /// Seconds to wait before retrying (when not admitted).
        var retryAfter: TimeInterval { max(requestsReset, tokensReset) }
    }

    /// Counts a request in when both limits have room; otherwise not, with when to retry.
    func admit(now: TimeInterval = Date().timeIntervalSince1970) -> Status {
        state.withLockedValue { s in
            s.requests.removeAll { $0 <= now - window }
            s.tokens.removeAll { $0.at <= now - window }
            let used = s.tokens.reduce(0) { $0 + $1.count }
            let requestsFull = requestsPerMinute.map { s.requests.count >= $0 } ?? false
            let tokensFull = tokensPerMinute.map { used >= $0 } ?? false
            let requestsReset = requestsFull ? (s.requests.first.map { $0 + window - now } ?? 0) : 0
            var tokensReset: TimeInterval = 0
            if tokensFull, let limit = tokensPerMinute {
                // Free once enough of the oldest usage has left the window to bring it under the limit.
                var over = used - limit + 1
                for entry in s.tokens {
                    over -= entry.count
                    if over <= 0 {
                        tokensReset = entry.at + window - now
                        break
                    }
                }
            }
            let admitted = !requestsFull && !tokensFull
            if admitted { s.requests.append(now) }
            return Status(remainingRequests: requestsPerMinute.map { max(0, $0 - s.requests.count) },
                          remainingTokens: tokensPerMinute.map { max(0, $0 - used) },
                          requestsReset: max(0, requestsReset), tokensReset: max(0, tokensReset), admitted: admitted)
        }
    }

    /// Charges tokens a finished completion processed.
    func charge(tokens: Int, now: TimeInterval = Date().timeIntervalSince1970) {
        guard tokensPerMinute != nil, tokens > 0 else { return }
        state.withLockedValue { $0.tokens.append((now, tokens)) }
    }
}
