import Foundation

/// One conversation in the pipeline's normalized form, whatever export it came from.
public struct Conversation: Sendable, Equatable {
    /// One message.
    public struct Turn: Sendable, Equatable {
        public enum Role: String, Sendable, Equatable, Codable { case system, user, assistant, tool }
        public var role: Role
        public var text: String
        /// Seconds since 1970, when the export has it.
        public var time: Double?

        public init(role: Role, text: String, time: Double? = nil) {
            self.role = role
            self.text = text
            self.time = time
        }
    }

    public var id: String
    public var title: String?
    public var created: Double?
    /// `chatgpt`, `claude`, `openai`, …
    public var source: String
    public var turns: [Turn]

    public init(id: String, title: String? = nil, created: Double? = nil, source: String, turns: [Turn]) {
        self.id = id
        self.title = title
        self.created = created
        self.source = source
        self.turns = turns
    }

    /// The OpenAI chat (and MLX-LM chat) fine-tuning line: `{"messages":[{"content":…,"role":…},…]}`, keys
    /// sorted, byte for byte what `JSONSerialization` writes with `.sortedKeys, .withoutEscapingSlashes`
    /// (written directly: it is the hot path of a large import). Every OpenAI chat file of the pipeline
    /// (import, curate, split, review, generate) is written with it.
    public func openAIJSONLine() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(turns.reduce(32) { $0 + $1.text.utf8.count + 40 })
        out.append(contentsOf: #"{"messages":["#.utf8)
        for (index, turn) in turns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"content":"#.utf8)
            JSONText.appendQuoted(turn.text, to: &out)
            out.append(contentsOf: #","role":"#.utf8)
            JSONText.appendQuoted(turn.role.rawValue, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why an export could not be read.
public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// The output could not be written (disk full, no permission); nothing is left at `path`.
    case unwritable(path: String, reason: String)
    case invalidJSON(String)
    case unexpectedShape(String)
    /// A streamed JSON file is cut off or malformed; `offset` is the byte where reading failed.
    case malformedJSON(path: String, offset: Int, reason: String)
    /// One record (a JSON array element, a JSONL line, a text line) has the wrong shape; `location` names it.
    case badRecord(path: String, location: String, reason: String)
    /// A ZIP export could not be opened, or lacks the file the format needs.
    case archive(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .unwritable(path, reason): return "cannot write \(path): \(reason)"
        case let .invalidJSON(reason): return "invalid JSON: \(reason)"
        case let .unexpectedShape(reason): return "unexpected export format: \(reason)"
        case let .malformedJSON(path, offset, reason): return "\(path): invalid JSON at byte \(offset): \(reason)"
        case let .badRecord(path, location, reason): return "\(path): \(location): \(reason)"
        case let .archive(path, reason): return "\(path): \(reason)"
        }
    }
}
