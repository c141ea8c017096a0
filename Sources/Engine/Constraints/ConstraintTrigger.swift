/// What switches a lazy ``OutputConstraint`` on: the grammar applies to what follows a trigger text (a tool call after
/// `<tool_call>`), whether the text is one special token or several ordinary ones. Some texts count only at the start
/// of the output (after whitespace): a model that opens its answer with a Markdown JSON fence or a bare `{` is writing
/// a call in its own way.
public struct ConstraintTrigger: Sendable, Equatable {
    /// A text that opens a document only at the start of the output.
    public struct StartText: Sendable, Equatable {
        public let bytes: [UInt8]
        /// The text is the document's own beginning (`{`), not a marker before it (a fence).
        public let isDocumentStart: Bool

        public init(_ text: String, isDocumentStart: Bool) {
            bytes = Array(text.utf8)
            self.isDocumentStart = isDocumentStart
        }
    }

    /// Texts that open a document anywhere in free text; the document follows them.
    public let texts: [[UInt8]]
    public let startTexts: [StartText]
    /// End generation after the first document (one tool call); false: free text again, and each later trigger
    /// starts another document (parallel calls).
    public let once: Bool
    /// Decide at the first step whether the output opens with a document: when the tokens that would open one (see
    /// ``opensDocument(_:)``) together have at least this probability, the output must open with one. A model's
    /// wish to call a tool is spread over several spellings (a fence, `{"`, `{` and a newline), while an answer in
    /// text tends to have one likely first word; taking the argmax token alone misses calls the model leans to.
    /// nil: the sampled token decides.
    public let openingThreshold: Float?

    public init(_ texts: [String], startTexts: [StartText] = [], once: Bool, openingThreshold: Float? = nil) {
        precondition(!texts.isEmpty && texts.allSatisfy { !$0.isEmpty }, "a constraint trigger needs text")
        self.texts = texts.map { Array($0.utf8) }
        self.startTexts = startTexts.filter { !$0.bytes.isEmpty }
        self.once = once
        self.openingThreshold = openingThreshold
    }

    /// Whether a first token (after leading whitespace) opens a document: it begins a start text or begins with one
    /// (```` ``` ```` of ```` ```json ````, `{"` of `{`), or begins with a trigger text.
    public func opensDocument(_ token: [UInt8]) -> Bool {
        let text = token.drop(while: Self.isSpace)
        guard !text.isEmpty else { return false }
        return startTexts.contains { $0.bytes.starts(with: text) || text.starts(with: $0.bytes) }
            || texts.contains { text.starts(with: $0) }
    }

    /// Whether a first token may come when the output must open with a document: whitespace, an opening token, or
    /// the beginning of a trigger text spelled in several tokens.
    func mayBeginOpening(_ token: [UInt8]) -> Bool {
        let text = token.drop(while: Self.isSpace)
        return text.isEmpty || opensDocument(token) || texts.contains { $0.starts(with: text) }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

    /// Where free text stands after a token: the document's first bytes when the token fired the trigger, else what to
    /// remember for the next token.
    struct Scan {
        var document: [UInt8]?
        /// The document was opened by a start text: the output is that one document.
        var atStart = false
        /// The free text's last bytes, fewer than the longest trigger text.
        var recent: [UInt8]
        /// The output so far while it may still begin with a start text; nil once it cannot.
        var start: [UInt8]?
    }

    func scan(recent: [UInt8], start: [UInt8]?, token: [UInt8]) -> Scan {
        if let start {
            let text = start + token
            let trimmed = Array(text.drop(while: Self.isSpace))
            for candidate in startTexts where trimmed.starts(with: candidate.bytes) {
                return Scan(document: candidate.isDocumentStart ? trimmed : Array(trimmed.dropFirst(candidate.bytes.count)),
                            atStart: true, recent: [], start: nil)
            }
            let stillPossible = startTexts.contains { $0.bytes.starts(with: trimmed) }
            if let document = Self.after(texts, in: text) { return Scan(document: document, recent: [], start: nil) }
            return Scan(document: nil, recent: tail(text), start: stillPossible ? text : nil)
        }
        guard !token.isEmpty else { return Scan(document: nil, recent: recent, start: nil) }
        let window = recent + token
        if let document = Self.after(texts, in: window) { return Scan(document: document, recent: [], start: nil) }
        return Scan(document: nil, recent: tail(window), start: nil)
    }

    /// The bytes after the first occurrence of any of `texts` in `window`.
    static func after(_ texts: [[UInt8]], in window: [UInt8]) -> [UInt8]? {
        var best: (end: Int, start: Int)?
        for text in texts where window.count >= text.count {
            var start = 0
            while start + text.count <= window.count {
                if window[start] == text[0], window[start..<start + text.count].elementsEqual(text) {
                    if best == nil || start < best!.start { best = (start + text.count, start) }
                    break
                }
                start += 1
            }
        }
        return best.map { Array(window[$0.end...]) }
    }

    /// The last bytes of free text that could begin a trigger text.
    private func tail(_ text: [UInt8]) -> [UInt8] {
        Array(text.suffix((texts.map(\.count).max() ?? 1) - 1))
    }
}
