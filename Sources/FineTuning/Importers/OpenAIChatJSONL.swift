import Foundation

/// OpenAI chat fine-tuning JSONL: one `{"messages":[{"role","content"},…]}` per line.
public enum OpenAIChatJSONL {
    /// Parses every non-empty line of a file held in memory; a bad line throws naming `name` and the line.
    public static func conversations(from data: Data, name: String = "openai.jsonl") throws(ImportError) -> [Conversation] {
        var result: [Conversation] = []
        let failure: ImportError? = data.withUnsafeBytes { bytes in
            do throws(ImportError) {
                try JSONLLineReader.forEachLine(in: bytes) { (line) throws(ImportError) in
                    if let c = try conversation(line: line.bytes, number: line.number, path: name) { result.append(c) }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Streams a JSONL file: calls `body` with each line's number and conversation, in order, without holding
    /// the file in memory (it is memory-mapped). Blank lines are skipped; a bad line throws naming the file and line.
    public static func forEachConversation(in url: URL, makeProgress: ProgressReporter.Factory? = nil,
                                           _ body: (_ lineNumber: Int, _ conversation: Conversation) throws -> Void) throws {
        let reader = try JSONLLineReader(url: url)
        try reader.forEachLine(progress: makeProgress?("read", Int64(reader.byteCount), "lines")) { line in
            if let c = try conversation(line: line.bytes, number: line.number, path: reader.path) { try body(line.number, c) }
        }
    }

    /// One line's conversation (nil for a blank line); a bad line throws
    /// ``ImportError/badRecord(path:location:reason:)`` at `path`, `line N`.
    public static func conversation(line: UnsafeRawBufferPointer, number: Int, path: String) throws(ImportError) -> Conversation? {
        guard !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) else { return nil }
        let data = line.baseAddress.map { Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: line.count, deallocator: .none) } ?? Data()
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let messages = object["messages"] as? [[String: Any]] else {
            throw .badRecord(path: path, location: "line \(number)", reason: #"not an object with a "messages" array"#)
        }
        var turns: [Conversation.Turn] = []
        turns.reserveCapacity(messages.count)
        for message in messages {
            guard let roleText = message["role"] as? String, let role = Conversation.Turn.Role(rawValue: roleText),
                  let content = message["content"] as? String else {
                throw .badRecord(path: path, location: "line \(number)", reason: "a message lacks a known role or string content")
            }
            turns.append(Conversation.Turn(role: role, text: content))
        }
        return Conversation(id: "line-\(number)", source: "openai", turns: turns)
    }

    /// Writes one line per conversation (``Conversation/openAIJSONLine()``), replacing `url` only once all are written.
    public static func write(_ conversations: [Conversation], to url: URL) throws(ImportError) {
        let writer = try JSONLinesFileWriter(destination: url)
        do throws(ImportError) {
            for c in conversations { try writer.write(line: c.openAIJSONLine()) }
            try writer.commit()
        } catch {
            writer.discard()
            throw error
        }
    }
}
