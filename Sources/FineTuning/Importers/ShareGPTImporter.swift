import Foundation

/// ShareGPT data: a JSON array, or JSON Lines, of `{"id"?, "conversations": [{"from": …, "value": …}, …]}`.
///
/// Accepted `from` values: `human`, `user` → user; `gpt`, `assistant`, `model`, `chatgpt`, `bard`, `bing` →
/// assistant; `system` → system; `function_call` (the model's call, kept as its text) → assistant; `tool`,
/// `observation`, `function_response` → tool. Any other speaker, a missing `conversations` array or a
/// non-string `value` is an error naming the record. Turns with empty text are skipped; a record with no
/// turns left is skipped. The id is `id` when present, otherwise `sharegpt-<record number>`.
public enum ShareGPTImporter {
    static let roles: [String: Conversation.Turn.Role] = [
        "human": .user, "user": .user,
        "gpt": .assistant, "assistant": .assistant, "model": .assistant, "chatgpt": .assistant, "bard": .assistant,
        "bing": .assistant, "function_call": .assistant,
        "system": .system,
        "tool": .tool, "observation": .tool, "function_response": .tool,
    ]

    /// Conversations of a file held in memory.
    public static func conversations(from data: Data, name: String = "sharegpt.json") throws(ImportError) -> [Conversation] {
        var source = source(JSONRecordReader(data: data, name: name))
        return try source.collect()
    }

    /// Conversations streamed from `reader`.
    public static func source(_ reader: JSONRecordReader) -> JSONRecordConversationSource {
        .numbered(reader) { (value, number, path, location) throws(ImportError) -> Conversation? in
            try conversation(value, number: number, path: path, location: location)
        }
    }

    /// One record.
    public static func conversation(_ value: Any, number: Int, path: String, location: String) throws(ImportError) -> Conversation? {
        guard let object = value as? [String: Any], let messages = object["conversations"] as? [Any] else {
            throw .badRecord(path: path, location: location, reason: "expected an object with a \"conversations\" array")
        }
        var turns: [Conversation.Turn] = []
        for (index, item) in messages.enumerated() {
            guard let message = item as? [String: Any], let from = message["from"] as? String else {
                throw .badRecord(path: path, location: location, reason: "message \(index + 1) has no \"from\"")
            }
            guard let role = roles[from.lowercased()] else {
                throw .badRecord(path: path, location: location, reason: "message \(index + 1) has an unknown speaker \"\(from)\"")
            }
            guard let value = message["value"] as? String else {
                throw .badRecord(path: path, location: location, reason: "message \(index + 1) has no string \"value\"")
            }
            let text = value.trimmingWhitespace()
            if !text.isEmpty { turns.append(Conversation.Turn(role: role, text: text)) }
        }
        guard !turns.isEmpty else { return nil }
        let id = (object["id"] as? String) ?? (object["id"] as? Int).map { String($0) } ?? "sharegpt-\(number)"
        return Conversation(id: id, source: "sharegpt", turns: turns)
    }
}
