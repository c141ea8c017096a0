import Foundation

/// The decisions of an interactive review so far, saved after every step so a later run resumes after the
/// last decided conversation. `inputFingerprint` ties the state to the conversations it was made for.
public struct ReviewState: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable { case keep, skip, edit }

    public struct Decision: Codable, Sendable, Equatable {
        /// 0-based position among the reviewed conversations.
        public var index: Int
        public var action: Action
        /// For `edit`: every turn's text after the edit.
        public var texts: [String]?
    }

    public var version = 1
    public var inputFingerprint: String
    public var conversationCount: Int
    public var decisions: [Decision] = []

    public init(inputFingerprint: String, conversationCount: Int) {
        self.inputFingerprint = inputFingerprint
        self.conversationCount = conversationCount
    }

    /// The fingerprint of a list of conversations (order and content).
    public static func fingerprint(of conversations: [Conversation]) -> String {
        var h: UInt64 = 0x7265_7669_6577_0001
        for c in conversations {
            let f = StableHash.fingerprint(c)
            h = StableHash.mix(h ^ f.high) ^ f.low
        }
        return String(h, radix: 16) + "-\(conversations.count)"
    }

    /// Reads a saved state, or nil when the file does not exist.
    public static func load(from url: URL) throws(DatasetError) -> ReviewState? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(ReviewState.self, from: Data(contentsOf: url))
        } catch {
            throw .invalidState(path: url.path, reason: "unreadable (\(error.localizedDescription)); delete it to start over")
        }
    }

    /// Writes the state atomically.
    public func save(to url: URL) throws(DatasetError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw .invalidState(path: url.path, reason: "cannot be written: \(error.localizedDescription)")
        }
    }
}
