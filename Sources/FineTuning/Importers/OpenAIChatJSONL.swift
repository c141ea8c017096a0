import Foundation

/// OpenAI chat fine-tuning JSONL: one `{"messages":[{"role","content"},…]}` per line.
public enum OpenAIChatJSONL {
    /// Parses every non-empty line; a bad line throws with its number.
    public static func conversations(from data: Data) throws(ImportError) -> [Conversation] {
        var result: [Conversation] = []
        let error: ImportError? = data.withUnsafeBytes { (all: UnsafeRawBufferPointer) -> ImportError? in
            var lineNumber = 0
            var start = 0
            while start < all.count {
                lineNumber += 1
                let end = all[start...].firstIndex(of: 0x0A) ?? all.count
                let line = UnsafeRawBufferPointer(rebasing: all[start..<end])
                start = end + 1
                do {
                    if let c = try conversation(line: line, number: lineNumber) { result.append(c) }
                } catch let error as ImportError { return error } catch { return .invalidJSON("\(error)") }
            }
            return nil
        }
        if let error { throw error }
        return result
    }

    /// Streams a JSONL file: calls `body` with each line's number and conversation, in order, without holding
    /// the file in memory (it is memory-mapped). Blank lines are skipped; a bad line throws naming the file and line.
    public static func forEachConversation(in url: URL, _ body: (_ lineNumber: Int, _ conversation: Conversation) throws -> Void) throws {
        let reader = try JSONLLineReader(url: url)
        try reader.forEachLine { line in
            do {
                if let c = try conversation(line: line.bytes, number: line.number) { try body(line.number, c) }
            } catch let error as ImportError {
                throw ImportError.unexpectedShape("\(url.path):\(line.number): \(error.lineReason)")
            }
        }
    }

    /// One line's conversation (nil for a blank line); the error names the line.
    public static func conversation(line: UnsafeRawBufferPointer, number: Int) throws(ImportError) -> Conversation? {
        guard !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) else { return nil }
        let data = line.baseAddress.map { Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: line.count, deallocator: .none) } ?? Data()
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let messages = object["messages"] as? [[String: Any]] else {
            throw .unexpectedShape("line \(number): not an object with a \"messages\" array")
        }
        var turns: [Conversation.Turn] = []
        turns.reserveCapacity(messages.count)
        for message in messages {
            guard let roleText = message["role"] as? String, let role = Conversation.Turn.Role(rawValue: roleText),
                  let content = message["content"] as? String else {
                throw .unexpectedShape("line \(number): a message lacks a known role or string content")
            }
            turns.append(Conversation.Turn(role: role, text: content))
        }
        return Conversation(id: "line-\(number)", source: "openai", turns: turns)
    }

    /// Writes one line per conversation.
    public static func write(_ conversations: [Conversation], to url: URL) throws {
        let writer = try JSONLWriter(url: url)
        do {
            for c in conversations { try writer.write(line: c.openAIChatLine()) }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }
}

extension ImportError {
    /// The reason without a leading "line N: " (when the caller adds its own file:line prefix).
    var lineReason: String {
        // `if case` rather than a switch, so that new cases need no change here.
        let text: String
        if case let .unexpectedShape(t) = self {
            text = t
        } else if case let .invalidJSON(t) = self {
            text = t
        } else if case let .unreadable(_, reason) = self {
            text = reason
        } else {
            text = description
        }
        if text.hasPrefix("line "), let colon = text.firstIndex(of: ":") {
            return String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return text
    }
}
