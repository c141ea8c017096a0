import Foundation

/// Alpaca data: a JSON array, or JSON Lines, of `{"instruction", "input"?, "output", "system"?, "history"?}`.
///
/// Each record becomes one conversation: the `system` prompt when non-empty, then every `history` pair
/// `[question, answer]` as a user and an assistant turn, then `instruction` followed by a blank line and
/// `input` (when `input` is non-empty) as the user turn and `output` as the assistant turn. A missing or
/// non-string `instruction` or `output`, or a `history` entry that is not a pair of strings, is an error
/// naming the record. The id is `alpaca-<record number>`.
public enum AlpacaImporter {
    /// Conversations of a file held in memory.
    public static func conversations(from data: Data, name: String = "alpaca.json") throws(ImportError) -> [Conversation] {
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
    public static func conversation(_ value: Any, number: Int, path: String, location: String) throws(ImportError) -> Conversation {
        guard let object = value as? [String: Any] else {
            throw .badRecord(path: path, location: location, reason: "expected an object with \"instruction\" and \"output\"")
        }
        guard let instruction = object["instruction"] as? String else {
            throw .badRecord(path: path, location: location, reason: "no string \"instruction\"")
        }
        guard let output = object["output"] as? String else {
            throw .badRecord(path: path, location: location, reason: "no string \"output\"")
        }
        var turns: [Conversation.Turn] = []
        if let system = (object["system"] as? String)?.trimmingWhitespace(), !system.isEmpty {
            turns.append(Conversation.Turn(role: .system, text: system))
        }
        if let history = object["history"], !(history is NSNull) {
            guard let pairs = history as? [Any] else {
                throw .badRecord(path: path, location: location, reason: "\"history\" is not an array of [question, answer] pairs")
            }
            for (index, entry) in pairs.enumerated() {
                guard let pair = entry as? [Any], pair.count == 2, let question = pair[0] as? String, let answer = pair[1] as? String else {
                    throw .badRecord(path: path, location: location, reason: "history entry \(index + 1) is not a [question, answer] pair of strings")
                }
                turns.append(Conversation.Turn(role: .user, text: question.trimmingWhitespace()))
                turns.append(Conversation.Turn(role: .assistant, text: answer.trimmingWhitespace()))
            }
        }
        let input = (object["input"] as? String)?.trimmingWhitespace() ?? ""
        let question = instruction.trimmingWhitespace()
        turns.append(Conversation.Turn(role: .user, text: input.isEmpty ? question : question + "\n\n" + input))
        turns.append(Conversation.Turn(role: .assistant, text: output.trimmingWhitespace()))
        return Conversation(id: "alpaca-\(number)", source: "alpaca", turns: turns)
    }
}
