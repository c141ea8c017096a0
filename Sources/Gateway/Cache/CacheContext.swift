import Foundation
import ModelStore

/// What must be equal for a cached answer to be reused besides the meaning of the last user turn: the
/// tenant, the system prompt and earlier turns, the model or tier asked for, and the sampling settings.
/// Reduced to a SHA-256 key, so entries of different contexts never match.
public struct CacheContext: Sendable, Hashable {
    public let key: String

    /// - Parameters:
    ///   - tenant: who is asking (API key, tenant header or `user`); answers never cross tenants.
    ///   - messages: the whole conversation; everything but the last user turn goes into the key.
    ///   - target: the model id, or `auto` plus the device profile.
    ///   - settings: sampling settings and anything else that changes the answer (canonical text).
    public init(tenant: String, messages: [(role: String, text: String)], target: String, settings: String) {
        var hasher = SHA256()
        func add(_ s: String) {
            hasher.update(Array(String(s.utf8.count).utf8) + [0x1F] + Array(s.utf8))
        }
        add(tenant)
        add(target)
        add(settings)
        let lastUser = messages.lastIndex { $0.role == "user" } ?? messages.count
        for (i, m) in messages.enumerated() where i != lastUser {
            add(m.role)
            add(m.text)
        }
        key = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The text whose embedding is compared: the last user turn.
    public static func query(_ messages: [(role: String, text: String)]) -> String {
        messages.last { $0.role == "user" }?.text ?? messages.last?.text ?? ""
    }

    static let timeSensitiveWords = [
        "today", "tonight", "now", "currently", "current", "latest", "recent", "this week", "this month",
        "yesterday", "tomorrow", "weather", "forecast", "news", "price", "stock", "score", "right now",
    ]

    /// Whether a question's answer goes stale quickly (it gets the short TTL).
    public static func isTimeSensitive(_ text: String) -> Bool {
        let lower = text.lowercased()
        return timeSensitiveWords.contains { ComplexityScorer.containsWord($0, in: lower) }
    }
}
