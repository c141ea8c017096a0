import Foundation

/// Plain-text question/answer files (UTF-8).
///
/// A line starting with `Q:` or `User:` (any case, after optional indentation) starts a user turn, `A:` or
/// `Assistant:` an assistant turn, `System:` a system turn; the rest of that line and every following line up to
/// the next marker belong to the turn (blank lines inside a turn are kept as paragraph breaks; blank lines
/// around turns are trimmed). A line that is only `---` or `===` ends the conversation, so Q/A blocks
/// separated by blank lines form one conversation until the next separator. Text before the first marker of
/// a conversation is an error naming its line. Conversation ids are `text-<n>`.
public enum PlainTextQAImporter {
    static let markers: [(prefix: String, role: Conversation.Turn.Role)] = [
        ("q:", .user), ("user:", .user), ("a:", .assistant), ("assistant:", .assistant), ("system:", .system),
    ]

    /// Conversations of a text held in memory.
    public static func conversations(from data: Data, name: String = "dialogues.txt") throws(ImportError) -> [Conversation] {
        var source = Source(data: data, name: name)
        var result: [Conversation] = []
        while let conversation = try source.next() { result.append(conversation) }
        return result
    }

    /// Streams the conversations of a (memory-mapped) text file.
    public struct Source: ConversationSource {
        /// The name used in errors.
        public let name: String
        private let data: Data
        private var position = 0
        private var lineNumber = 0
        private var conversationNumber = 0

        public var bytesRead: Int { position }
        public var byteCount: Int { data.count }

        /// Memory-maps `url`.
        public init(contentsOf url: URL) throws(ImportError) {
            self.init(data: try MappedFile(url).data, name: url.path)
        }

        /// Reads text already in memory; `name` is used in errors.
        public init(data: Data, name: String) {
            self.data = data
            self.name = name
        }

        public mutating func next() throws(ImportError) -> Conversation? {
            var turns: [Conversation.Turn] = []
            var role: Conversation.Turn.Role?
            var lines: [String] = []
            func endTurn() {
                if let role {
                    let text = lines.joined(separator: "\n").trimmingWhitespace()
                    if !text.isEmpty { turns.append(Conversation.Turn(role: role, text: text)) }
                }
                role = nil
                lines = []
            }
            while let line = readLine() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed == "---" || trimmed == "===" {
                    endTurn()
                    if !turns.isEmpty { return makeConversation(turns) }
                    continue
                }
                let lowered = trimmed.lowercased()
                if let marker = PlainTextQAImporter.markers.first(where: { lowered.hasPrefix($0.prefix) }) {
                    endTurn()
                    role = marker.role
                    lines = [String(trimmed.dropFirst(marker.prefix.count)).trimmingCharacters(in: .whitespaces)]
                } else if role != nil {
                    lines.append(line)
                } else if !trimmed.isEmpty {
                    throw .badRecord(path: name, location: "line \(lineNumber)",
                                     reason: "text before the first Q:/A: (or User:/Assistant:) marker")
                }
            }
            endTurn()
            return turns.isEmpty ? nil : makeConversation(turns)
        }

        private mutating func makeConversation(_ turns: [Conversation.Turn]) -> Conversation {
            conversationNumber += 1
            return Conversation(id: "text-\(conversationNumber)", source: "text", turns: turns)
        }

        /// The next line without its line break, or nil at the end.
        private mutating func readLine() -> String? {
            guard position < data.count else { return nil }
            let data = self.data
            let (content, next) = data.withUnsafeBytes { JSONLLineReader.bounds(in: $0, from: position) }
            position = min(next, data.count)
            lineNumber += 1
            var bytes = data.subdata(in: content)
            if lineNumber == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
