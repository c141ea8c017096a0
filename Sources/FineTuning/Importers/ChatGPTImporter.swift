import Foundation

/// ChatGPT's `conversations.json` (an array, or `{"conversations": [...]}`): each conversation is a tree in
/// `mapping`, linearized by walking `current_node`'s parents back to the root (never `children[0]`; without
/// `current_node`, from the newest leaf). Dropped: null messages, system turns unless
/// `metadata.is_user_system_message`, assistant turns addressed to a tool (`recipient` ≠ `all`), turns
/// hidden from the conversation, and the content types `user_editable_context`, `model_editable_context`,
/// `thoughts`, `reasoning_recap`, and tool outputs. `multimodal_text` keeps its text parts; an image becomes
/// `[image]`.
public enum ChatGPTImporter {
    static let droppedContentTypes: Set<String> = ["user_editable_context", "model_editable_context", "thoughts", "reasoning_recap"]

    /// Conversations of a whole export held in memory, in file order (read with ``JSONArrayStreamReader``).
    public static func conversations(from data: Data) throws(ImportError) -> [Conversation] {
        var reader = JSONArrayStreamReader(data: data, name: "conversations.json", key: "conversations")
        var result: [Conversation] = []
        while let element = try reader.next() {
            if let conversation = (element as? [String: Any]).flatMap(conversation) { result.append(conversation) }
        }
        return result
    }

    /// One conversation object; nil when it has no mapping.
    public static func conversation(_ object: [String: Any]) -> Conversation? {
        guard let mapping = object["mapping"] as? [String: [String: Any]] else { return nil }
        var node = (object["current_node"] as? String).flatMap { mapping[$0] != nil ? $0 : nil } ?? newestLeaf(mapping)
        var path: [[String: Any]] = []
        var seen = Set<String>()
        while let id = node, let entry = mapping[id], seen.insert(id).inserted {
            path.append(entry)
            node = entry["parent"] as? String
        }
        let turns = path.reversed().compactMap(turn)
        let id = object["conversation_id"] as? String ?? object["id"] as? String ?? ""
        return Conversation(id: id, title: object["title"] as? String, created: number(object["create_time"]), source: "chatgpt", turns: turns)
    }

    /// The leaf whose message was created last.
    static func newestLeaf(_ mapping: [String: [String: Any]]) -> String? {
        let leaves = mapping.filter { (($0.value["children"] as? [Any]) ?? []).isEmpty }
        return leaves.max { a, b in
            let ta = number((a.value["message"] as? [String: Any])?["create_time"]) ?? -1
            let tb = number((b.value["message"] as? [String: Any])?["create_time"]) ?? -1
            return ta == tb ? a.key > b.key : ta < tb
        }?.key
    }

    static func turn(_ node: [String: Any]) -> Conversation.Turn? {
        guard let message = node["message"] as? [String: Any],
              let author = (message["author"] as? [String: Any])?["role"] as? String else { return nil }
        let metadata = message["metadata"] as? [String: Any] ?? [:]
        if metadata["is_visually_hidden_from_conversation"] as? Bool == true { return nil }
        let content = message["content"] as? [String: Any] ?? [:]
        let type = content["content_type"] as? String ?? "text"
        if droppedContentTypes.contains(type) { return nil }
        let role: Conversation.Turn.Role
        switch author {
        case "user": role = .user
        case "assistant":
            if let recipient = message["recipient"] as? String, recipient != "all" { return nil }
            role = .assistant
        case "system":
            guard metadata["is_user_system_message"] as? Bool == true else { return nil }
            role = .system
        default: return nil   // tool outputs answer tool calls, which are dropped with them
        }
        var pieces: [String] = []
        for part in content["parts"] as? [Any] ?? [] {
            if let text = part as? String {
                pieces.append(text)
            } else if let object = part as? [String: Any] {
                if let text = object["text"] as? String { pieces.append(text) }
                else if (object["content_type"] as? String)?.contains("image") == true || object["asset_pointer"] != nil { pieces.append("[image]") }
            }
        }
        if pieces.isEmpty, let text = content["text"] as? String { pieces.append(text) }
        let text = pieces.filter { !$0.isEmpty }.joined(separator: "\n").trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        return Conversation.Turn(role: role, text: text, time: number(message["create_time"]))
    }

    static func number(_ value: Any?) -> Double? {
        (value as? Double) ?? (value as? Int).map(Double.init) ?? (value as? NSNumber)?.doubleValue
    }
}
