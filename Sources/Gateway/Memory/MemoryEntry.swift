import Foundation

/// One stored memory: its text, tags, preservation level and times (Unix seconds).
public struct MemoryEntry: Sendable, Equatable, Codable {
    /// `mem_` and 24 hex digits.
    public let id: String
    public let text: String
    public let tags: [String]
    public let preservation: MemoryPreservation
    public let created: Double
    /// When it stops being returned and is purged; `nil`: never.
    public let expires: Double?

    public init(id: String, text: String, tags: [String], preservation: MemoryPreservation, created: Double, expires: Double?) {
        self.id = id
        self.text = text
        self.tags = tags
        self.preservation = preservation
        self.created = created
        self.expires = expires
    }

    /// A fresh random id.
    static func makeID() -> String {
        "mem_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
    }

    /// Whether the entry has expired at `now`.
    func isExpired(at now: Double) -> Bool {
        expires.map { $0 <= now } ?? false
    }
}
