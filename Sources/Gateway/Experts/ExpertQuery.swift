import Foundation

/// The text of a chat request the expert router looks at: the last user turn, plus a short context window —
/// the user turn before it and the system prompt — each trimmed and truncated to its first
/// `headCharacters` and last `tailCharacters` characters (a question often comes after pasted text).
///
/// Why these parts: the last user turn says what is asked; a short follow-up ("and the yearly plan?") often
/// only makes sense with the previous user turn, and a client's system prompt usually names its product or
/// domain. Assistant turns are left out (they are the model's own words, not the request). The truncation keeps
/// the embedding cost bounded: MiniLM's cost grows with the token count, and 240 + 120 characters are about
/// 90 tokens at most. `ExpertQueryEncoder` turns a query into the router's input vector.
public struct ExpertQuery: Sendable, Equatable, Hashable {
    /// Characters kept from the start of a long text.
    public static let headCharacters = 240
    /// Characters kept from the end of a long text.
    public static let tailCharacters = 120

    /// The last user turn (truncated): what the request asks.
    public var lastUser: String
    /// The user turn before it, if any (truncated).
    public var previousUser: String?
    /// The first system (or developer) message, if any (truncated).
    public var system: String?

    /// Truncates every part.
    public init(lastUser: String, previousUser: String? = nil, system: String? = nil) {
        self.lastUser = Self.truncated(lastUser)
        self.previousUser = previousUser.map(Self.truncated).flatMap { $0.isEmpty ? nil : $0 }
        self.system = system.map(Self.truncated).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// From a chat's `(role, text)` messages: the last user turn, the user turn before it and the first system
    /// (or developer) message. Nil when there is no user turn.
    public init?(messages: [(role: String, text: String)]) {
        let users = messages.filter { $0.role == "user" }.map(\.text)
        guard let last = users.last else { return nil }
        self.init(lastUser: last, previousUser: users.count > 1 ? users[users.count - 2] : nil,
                  system: messages.first { $0.role == "system" || $0.role == "developer" }?.text)
    }

    /// `text` trimmed; when longer than head + tail characters, its head and tail joined by " … ".
    public static func truncated(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count > headCharacters + tailCharacters else { return trimmed }
        return String(trimmed.prefix(headCharacters)) + " … " + String(trimmed.suffix(tailCharacters))
    }
}
