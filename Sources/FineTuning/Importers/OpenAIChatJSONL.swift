import Foundation

/// OpenAI chat fine-tuning JSONL: one `{"messages":[{"role","content"},…]}` per line.
public enum OpenAIChatJSONL {
    /// Parses every non-empty line; a bad line throws with its number.
    public static func conversations(from data: Data) throws(ImportError) -> [Conversation] {
        var result: [Conversation] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) else { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
                  let messages = object["messages"] as? [[String: Any]] else {
                throw .unexpectedShape("line \(lineNumber): not an object with a \"messages\" array")
            }
            var turns: [Conversation.Turn] = []
            for message in messages {
                guard let roleText = message["role"] as? String, let role = Conversation.Turn.Role(rawValue: roleText),
                      let content = message["content"] as? String else {
                    throw .unexpectedShape("line \(lineNumber): a message lacks a known role or string content")
                }
                turns.append(Conversation.Turn(role: role, text: content))
            }
            result.append(Conversation(id: "line-\(lineNumber)", source: "openai", turns: turns))
        }
        return result
    }

    /// Writes one line per conversation.
    public static func write(_ conversations: [Conversation], to url: URL) throws {
        var text = ""
        for c in conversations { text += try c.openAIJSONLine() + "\n" }
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
