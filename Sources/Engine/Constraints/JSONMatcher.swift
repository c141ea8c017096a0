/// A byte-level recogniser of JSON documents valid against a ``JSONSchemaGrammar``: feed it bytes one at a time
/// and it says whether the text so far can still become a valid document (`isAlive`) and whether it already is one
/// (`canFinish`). It is a pushdown automaton; alternatives (`anyOf`, a type list, a number that may have ended)
/// run side by side as separate threads, so no choice is ever guessed. Whitespace between tokens is what a
/// pretty-printer writes and no more: nothing, one space, or one newline and up to ``maxIndent`` spaces or tabs
/// (as llama.cpp's JSON-schema grammars allow), so a model cannot spend its tokens on blank lines.
public struct JSONMatcher: Sendable, Equatable {
    public static let maxIndent = 20

    let grammar: JSONSchemaGrammar
    /// The live alternatives; empty once the text cannot become valid.
    private(set) var threads: [Thread]

    public init(grammar: JSONSchemaGrammar) {
        self.grammar = grammar
        threads = [Thread(stack: [.value(node: 0)])]
    }

    public static func == (a: JSONMatcher, b: JSONMatcher) -> Bool { a.grammar === b.grammar && a.threads == b.threads }

    /// Whether the text so far is a prefix of some valid document.
    public var isAlive: Bool { !threads.isEmpty }

    /// Whether the text so far is a complete valid document.
    public var canFinish: Bool { threads.contains { grammar.canFinish($0) } }

    /// Whether the document is complete and nothing but whitespace may follow.
    public var mustFinish: Bool { !threads.isEmpty && threads.allSatisfy(\.stack.isEmpty) }

    /// Whether every thread is between characters inside a string without `maxLength`: there, any plain text may
    /// follow (see ``TokenVocabulary``).
    var isInsideUnlimitedString: Bool {
        !threads.isEmpty && threads.allSatisfy { thread in
            guard case let .string(node, lexer)? = thread.stack.last, lexer.isBetweenCharacters,
                  case .string(_, nil) = grammar.nodes[Int(node)] else { return false }
            return true
        }
    }

    /// Feeds one byte; returns `isAlive` after it.
    @discardableResult
    public mutating func advance(_ byte: UInt8) -> Bool {
        var next: [Thread] = []
        next.reserveCapacity(threads.count)
        for thread in threads {
            grammar.step(thread, byte) { successor in
                if !next.contains(successor) { next.append(successor) }
            }
        }
        threads = next
        return !threads.isEmpty
    }

    /// Feeds `bytes`; returns `isAlive` after them (stops early once dead).
    @discardableResult
    public mutating func advance<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        for byte in bytes where !advance(byte) { return false }
        return true
    }

    /// Whether `bytes` could follow (without feeding them).
    public func accepts<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var copy = self
        return copy.advance(bytes)
    }
}

extension JSONMatcher {
    /// One alternative: the frames still open, innermost last, and the whitespace run so far (0: none, 1: one
    /// space, 2 + n: a newline and n spaces or tabs).
    struct Thread: Sendable, Hashable {
        var stack: [Frame]
        var whitespace: UInt8 = 0
    }

    enum ObjectPhase: UInt8, Sendable, Hashable {
        /// After `{`: a key or `}`.
        case open
        /// After a key: `:`.
        case afterKey
        /// After a member's value: `,` or `}`.
        case afterValue
        /// After `,`: a key.
        case afterComma
    }

    enum ArrayPhase: UInt8, Sendable, Hashable {
        case open, afterValue, afterComma
    }

    /// Where in a string literal: plain, after a backslash, or reading `\u` hex digits (`hex` left), plus
    /// the continuation bytes a multi-byte UTF-8 character still needs.
    struct StringLexer: Sendable, Hashable {
        var escape: UInt8 = 0      // 0 plain, 1 after '\', 2...5: hex digits still to read + 1
        var continuation: UInt8 = 0
        var characters: Int32 = 0

        enum Outcome { case character, pending, close, invalid }

        /// Reads one byte inside the quotes.
        mutating func read(_ byte: UInt8) -> Outcome {
            if continuation > 0 {
                guard byte & 0xC0 == 0x80 else { return .invalid }
                continuation -= 1
                return .pending
            }
            switch escape {
            case 0:
                switch byte {
                case UInt8(ascii: "\""): return .close
                case UInt8(ascii: "\\"):
                    escape = 1
                    characters += 1
                    return .character
                case ..<0x20: return .invalid
                case ..<0x80: characters += 1; return .character
                case 0xC2...0xDF: continuation = 1
                case 0xE0...0xEF: continuation = 2
                case 0xF0...0xF4: continuation = 3
                default: return .invalid
                }
                characters += 1
                return .character
            case 1:
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    escape = 0
                case UInt8(ascii: "u"): escape = 5
                default: return .invalid
                }
                return .pending
            default:
                guard JSONMatcher.isHexDigit(byte) else { return .invalid }
                escape = escape == 2 ? 0 : escape - 1
                return .pending
            }
        }

        var isBetweenCharacters: Bool { escape == 0 && continuation == 0 }
    }

    enum Frame: Sendable, Hashable {
        /// A value of `node` is expected next.
        case value(node: Int32)
        /// Inside an object: which declared properties were seen (bit i: `properties[i]`), and the member being read
        /// (its property index, -1 for an additional property).
        case object(node: Int32, phase: ObjectPhase, seen: UInt64, member: Int32)
        /// Reading a key of `node`'s object (the bytes after the opening quote).
        case key(node: Int32, seen: UInt64, bytes: [UInt8], lexer: StringLexer)
        case array(node: Int32, phase: ArrayPhase, count: Int32)
        case string(node: Int32, lexer: StringLexer)
        /// Inside a string with a `format`: the format automaton's state.
        case formatted(node: Int32, state: Int32)
        /// A number's text so far.
        case number(node: Int32, text: [UInt8])
        /// One of a set of exact texts; `alive` are indices into the node's literals, `position` the bytes matched.
        case literal(node: Int32, alive: [Int32], position: Int32)
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}
