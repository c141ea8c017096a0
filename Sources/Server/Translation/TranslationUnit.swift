/// One piece of text sent to the model in one chat request: a whole short block or one chunk of a long paragraph (at
/// most ~1,200 characters, cut at sentence ends), with `⟦n⟧` tokens for the spans it must keep.
struct TranslationUnit: Sendable, Equatable {
    /// What the model sees.
    let text: String
    /// The placeholders whose tokens occur in ``text``.
    let placeholders: [TranslationPlaceholder]

    /// A part of the text between placeholders (``fragments``).
    enum Fragment: Sendable, Equatable {
        /// Text to translate (with its surrounding whitespace).
        case text(String)
        /// A placeholder's original, kept as it is.
        case kept(String)
    }

    /// Whether there is anything to translate: a letter outside the tokens. A unit of code, URLs, numbers and
    /// punctuation only comes back as it is, without a request.
    var needsTranslation: Bool {
        fragments.contains { if case let .text(s) = $0 { s.contains(where: \.isLetter) } else { false } }
    }

    /// The text without its tokens (for language detection).
    var plainText: String {
        fragments.compactMap { if case let .text(s) = $0 { s } else { nil } }.joined()
    }

    /// The text cut at its tokens: the fallback when a model drops or repeats a token translates each `.text` piece on
    /// its own and keeps the originals in between, so no code is ever lost.
    var fragments: [Fragment] {
        var result: [Fragment] = [], rest = Substring(text)
        while let found = Self.firstToken(in: rest) {
            if found.range.lowerBound > rest.startIndex { result.append(.text(String(rest[..<found.range.lowerBound]))) }
            result.append(.kept(placeholders.first { $0.number == found.number }?.original ?? String(rest[found.range])))
            rest = rest[found.range.upperBound...]
        }
        if !rest.isEmpty { result.append(.text(String(rest))) }
        return result
    }

    /// The unit with its originals in place of the tokens (code spans in their backticks, required translations) and no
    /// placeholders: the second try when a model loses a token, checked with ``keepsOriginals(_:)``.
    var inlined: TranslationUnit {
        TranslationUnit(text: fragments.map { switch $0 { case let .text(s), let .kept(s): s } }.joined(), placeholders: [])
    }

    /// Whether `output` (a translation of ``inlined``) still holds every original as many times as the source does.
    func keepsOriginals(_ output: String) -> Bool {
        let source = inlined.text
        func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
        return Set(placeholders.map(\.original)).allSatisfy { count($0, in: output) >= count($0, in: source) }
    }

    /// `output` (a translation of ``text``) with each token replaced by its original; nil when a token is missing,
    /// repeated or unknown (the answer cannot be trusted to keep the code). Tokens are read leniently (`⟦ 2 ⟧`);
    /// whitespace a model put between a link's `]` and its kept destination is removed.
    func restore(_ output: String) -> String? {
        var result = "", rest = Substring(output), seen: Set<Int> = []
        while let found = Self.firstToken(in: rest) {
            guard let placeholder = placeholders.first(where: { $0.number == found.number }), seen.insert(found.number).inserted else {
                return nil
            }
            result += rest[..<found.range.lowerBound]
            if placeholder.kind == .link {
                let trimmed = result.replacingTrailingWhitespace()
                if trimmed.hasSuffix("]") { result = trimmed }
            }
            result += placeholder.original
            rest = rest[found.range.upperBound...]
        }
        result += rest
        return seen.count == placeholders.count ? result : nil
    }

    /// The first `⟦n⟧` token (spaces allowed inside the brackets) in `text`.
    static func firstToken(in text: Substring) -> (range: Range<Substring.Index>, number: Int)? {
        var search = text[...]
        while let open = search.firstIndex(of: "⟦") {
            var k = text.index(after: open)
            while k < text.endIndex, text[k] == " " { k = text.index(after: k) }
            let digitsStart = k
            while k < text.endIndex, let d = text[k].wholeNumberValue, d < 10, text[k].isASCII { k = text.index(after: k) }
            let digits = text[digitsStart..<k]
            while k < text.endIndex, text[k] == " " { k = text.index(after: k) }
            if !digits.isEmpty, digits.count < 6, k < text.endIndex, text[k] == "⟧", let number = Int(digits) {
                return (open..<text.index(after: k), number)
            }
            search = text[text.index(after: open)...]
        }
        return nil
    }
}

private extension String {
    /// The string without its trailing spaces and tabs.
    func replacingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
