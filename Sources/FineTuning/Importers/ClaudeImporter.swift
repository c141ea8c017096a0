import Foundation

/// Claude's `conversations.json`: each conversation has `chat_messages[]` (`sender` `human`/`assistant`,
/// text in `text` or `content[].text`, ISO-8601 `created_at`, optional `attachments[].extracted_content`
/// appended to the message). With `parent_message_uuid` links the newest leaf is followed back to the root;
/// without them the array order is kept.
public enum ClaudeImporter {
    /// Conversations of a whole export held in memory, in file order (read with ``JSONArrayStreamReader``).
    public static func conversations(from data: Data) throws(ImportError) -> [Conversation] {
        var reader = JSONArrayStreamReader(data: data, name: "conversations.json")
        var result: [Conversation] = []
        while let element = try reader.next() {
            if let object = element as? [String: Any] { result.append(conversation(object)) }
        }
        return result
    }

    /// One conversation object of the export.
    public static func conversation(_ object: [String: Any]) -> Conversation {
        let messages = (object["chat_messages"] as? [[String: Any]]) ?? []
        let ordered: [[String: Any]]
        let byID = Dictionary(messages.compactMap { m in (m["uuid"] as? String).map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
        let linked = messages.contains { ($0["parent_message_uuid"] as? String).map { byID[$0] != nil } ?? false }
        if linked {
            let parents = Set(messages.compactMap { $0["parent_message_uuid"] as? String })
            let leaves = messages.filter { !parents.contains($0["uuid"] as? String ?? "") }
            var node = leaves.max { time($0["created_at"]) ?? -1 < time($1["created_at"]) ?? -1 }
            var path: [[String: Any]] = []
            var seen = Set<String>()
            while let m = node, seen.insert(m["uuid"] as? String ?? "").inserted {
                path.append(m)
                node = (m["parent_message_uuid"] as? String).flatMap { byID[$0] }
            }
            ordered = path.reversed()
        } else {
            ordered = messages
        }
        let turns = ordered.compactMap { m -> Conversation.Turn? in
            let role: Conversation.Turn.Role
            switch m["sender"] as? String {
            case "human": role = .user
            case "assistant": role = .assistant
            default: return nil
            }
            var text = (m["text"] as? String) ?? ""
            if text.isEmpty {
                text = ((m["content"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined(separator: "\n")
            }
            for attachment in (m["attachments"] as? [[String: Any]]) ?? [] {
                if let extracted = attachment["extracted_content"] as? String, !extracted.isEmpty {
                    let name = attachment["file_name"] as? String ?? "attachment"
                    text += "\n\n[\(name)]\n" + extracted
                }
            }
            text = text.trimmingWhitespace()
            return text.isEmpty ? nil : Conversation.Turn(role: role, text: text, time: time(m["created_at"]))
        }
        return Conversation(id: object["uuid"] as? String ?? "", title: object["name"] as? String,
                            created: time(object["created_at"]), source: "claude", turns: turns)
    }

    /// ISO-8601 with or without fractional seconds.
    static func time(_ value: Any?) -> Double? {
        ISO8601Timestamp.seconds(value)
    }
}
