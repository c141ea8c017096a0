/// The line shapes of the other training formats (OpenAI chat and MLX-LM chat: ``openAIJSONLine()``), built
/// with ``JSONText``.
extension Conversation {
    /// The ShareGPT line: `{"conversations":[{"from":"system|human|gpt|tool","value":…},…]}`.
    public func shareGPTLine() -> String {
        let items = turns.map { turn -> String in
            let from: String
            switch turn.role {
            case .system: from = "system"
            case .user: from = "human"
            case .assistant: from = "gpt"
            case .tool: from = "tool"
            }
            return JSONText.object([("from", JSONText.quoted(from)), ("value", JSONText.quoted(turn.text))])
        }
        return JSONText.object([("conversations", JSONText.array(items))])
    }

    /// The Alpaca line: the last user turn is the instruction, the last assistant turn the output, earlier
    /// user/assistant pairs the history (`[[user, assistant], …]`), the first system turn the system prompt.
    /// Nil when the conversation has no user turn followed by an assistant turn.
    public func alpacaLine() -> String? {
        let dialogue = turns.filter { $0.role == .user || $0.role == .assistant }
        guard let lastAssistant = dialogue.lastIndex(where: { $0.role == .assistant }),
              let lastUser = dialogue[..<lastAssistant].lastIndex(where: { $0.role == .user }) else { return nil }
        var history: [String] = []
        var pendingUser: String?
        for turn in dialogue[..<lastUser] {
            if turn.role == .user {
                pendingUser = turn.text
            } else if let user = pendingUser {
                history.append(JSONText.array([JSONText.quoted(user), JSONText.quoted(turn.text)]))
                pendingUser = nil
            }
        }
        var pairs: [(String, String)] = [
            ("instruction", JSONText.quoted(dialogue[lastUser].text)),
            ("input", JSONText.quoted("")),
            ("output", JSONText.quoted(dialogue[lastAssistant].text)),
        ]
        if let system = turns.first(where: { $0.role == .system }) { pairs.append(("system", JSONText.quoted(system.text))) }
        if !history.isEmpty { pairs.append(("history", JSONText.array(history))) }
        return JSONText.object(pairs)
    }
}
