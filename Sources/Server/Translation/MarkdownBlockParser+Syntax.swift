/// The line-level syntax ``MarkdownBlockParser`` recognises, on one line's characters.
extension MarkdownBlockParser {
    /// A code fence: its character and length.
    struct Fence {
        let character: Character
        let count: Int
    }

    /// Tags that open an HTML block (CommonMark's type 6 and the embedded-media tags), kept verbatim up to a blank line.
    static let blockTags: Set<String> = [
        "address", "article", "aside", "audio", "blockquote", "body", "center", "details", "dialog", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr",
        "html", "iframe", "img", "legend", "li", "link", "main", "menu", "nav", "ol", "p", "picture", "pre", "script",
        "section", "source", "style", "summary", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "title", "tr",
        "ul", "video",
    ]

    /// The blockquote markers (each `>` after at most three spaces, with one space after it) and the indentation after them.
    static func layout(_ body: [Character]) -> Layout {
        var quoteEnd = 0
        while true {
            var k = quoteEnd, spaces = 0
            while k < body.count, body[k] == " ", spaces < 3 { k += 1; spaces += 1 }
            guard k < body.count, body[k] == ">" else { break }
            k += 1
            if k < body.count, body[k] == " " || body[k] == "\t" { k += 1 }
            quoteEnd = k
        }
        var textStart = quoteEnd, width = 0
        while textStart < body.count, body[textStart] == " " || body[textStart] == "\t" {
            width += body[textStart] == "\t" ? 4 : 1
            textStart += 1
        }
        return Layout(quoteEnd: quoteEnd, textStart: textStart, width: width)
    }

    /// `line` as markup before `textStart`, its text, and its trailing whitespace and ending.
    static func split(_ line: SourceLine, textStart: Int) -> TranslationBlock.Line {
        let body = line.body
        var end = body.count
        while end > textStart, body[end - 1] == " " || body[end - 1] == "\t" { end -= 1 }
        let start = min(textStart, end)
        return TranslationBlock.Line(prefix: String(body[..<start]), content: String(body[start..<end]),
                                     suffix: String(body[end...]) + line.ending)
    }

    static func isBlank(_ line: SourceLine) -> Bool { line.body.allSatisfy(\.isWhitespace) || line.body.isEmpty }

    static func hasPrefix(_ text: ArraySlice<Character>, _ prefix: String) -> Bool { text.starts(with: Array(prefix)) }

    static func contains(_ body: [Character], _ needle: String, from: Int) -> Bool {
        let needle = Array(needle)
        guard from < body.count else { return false }
        return (from...max(from, body.count - needle.count)).contains { body[$0...].starts(with: needle) }
    }

    /// After a run of `n` backticks at `k`: the index after the next run of exactly `n`, or after the run itself.
    static func codeSpanEnd(_ body: [Character], at k: Int) -> Int {
        var n = 0
        while k + n < body.count, body[k + n] == "`" { n += 1 }
        var close = k + n
        while close < body.count {
            guard body[close] == "`" else { close += 1; continue }
            var m = 0
            while close + m < body.count, body[close + m] == "`" { m += 1 }
            if m == n { return close + m }
            close += m
        }
        return k + n
    }

    /// An opening code fence: three or more backticks (with no backtick in the info string) or tildes.
    static func fence(_ rest: ArraySlice<Character>) -> Fence? {
        guard let first = rest.first, first == "`" || first == "~" else { return nil }
        let count = rest.prefix { $0 == first }.count
        guard count >= 3 else { return nil }
        if first == "`", rest.dropFirst(count).contains("`") { return nil }
        return Fence(character: first, count: count)
    }

    /// Whether `line` closes `fence`: the same character, at least as many, then only whitespace.
    static func closes(_ line: SourceLine, _ fence: Fence) -> Bool {
        let rest = line.body[layout(line.body).textStart...]
        let count = rest.prefix { $0 == fence.character }.count
        return count >= fence.count && rest.dropFirst(count).allSatisfy(\.isWhitespace)
    }

    /// `<div …>`, `</table>`, `<!DOCTYPE …>`, `<?xml …>` and the like at the start of a line.
    static func isHTMLBlockStart(_ rest: ArraySlice<Character>) -> Bool {
        guard rest.first == "<" else { return false }
        var tag = rest.dropFirst()
        if tag.first == "!" || tag.first == "?" { return tag.dropFirst().first?.isLetter == true }
        if tag.first == "/" { tag = tag.dropFirst() }
        let name = String(tag.prefix { $0.isLetter || $0.isNumber }).lowercased()
        let after = tag.dropFirst(name.count).first
        return blockTags.contains(name) && (after == nil || after == ">" || after == "/" || after!.isWhitespace)
    }

    /// Three or more `-`, `*` or `_` (the same), with only spaces between.
    static func isThematicBreak(_ rest: ArraySlice<Character>) -> Bool {
        let marks = rest.filter { !$0.isWhitespace }
        guard let first = marks.first, "-*_".contains(first), marks.count >= 3 else { return false }
        return marks.allSatisfy { $0 == first }
    }

    /// A line of `=` (a setext heading's underline).
    static func isSetextUnderline(_ rest: ArraySlice<Character>) -> Bool {
        let marks = rest.filter { !$0.isWhitespace }
        return !marks.isEmpty && marks.allSatisfy { $0 == "=" } && !rest.dropFirst(marks.count).contains(where: { !$0.isWhitespace })
    }

    /// `[label]: destination …` (not a footnote `[^label]:`, whose text is translated).
    static func isLinkDefinition(_ rest: ArraySlice<Character>) -> Bool {
        guard rest.first == "[", rest.dropFirst().first != "^", let close = rest.firstIndex(of: "]"), close > rest.startIndex + 1 else {
            return false
        }
        let after = rest[(close + 1)...]
        return after.first == ":" && after.dropFirst().contains { !$0.isWhitespace }
    }

    /// A GFM table's delimiter row: `|`, `:`, `-` and spaces only, with at least one `-` and one `|`.
    static func isDelimiterRow(_ rest: ArraySlice<Character>) -> Bool {
        !rest.isEmpty && rest.allSatisfy { "|:- \t".contains($0) } && rest.contains("-") && rest.contains("|")
    }

    /// The length of an ATX heading's `#`s and the spaces after them.
    static func headingMarkup(_ rest: ArraySlice<Character>) -> Int? {
        let hashes = rest.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let after = rest.dropFirst(hashes)
        guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
        return hashes + after.prefix { $0 == " " || $0 == "\t" }.count
    }

    /// The length of a list item's marker (`-`, `*`, `+`, `1.`, `1)`), the spaces after it and a task box (`[ ]`,
    /// `[x]`), or of a footnote definition's `[^label]: `.
    static func itemMarkup(_ rest: ArraySlice<Character>) -> Int? {
        var k = rest.startIndex
        if rest.first == "[", rest.dropFirst().first == "^" {
            guard let close = rest.firstIndex(of: "]"), close + 1 < rest.endIndex, rest[close + 1] == ":" else { return nil }
            k = close + 2
            while k < rest.endIndex, rest[k] == " " || rest[k] == "\t" { k += 1 }
            return k - rest.startIndex
        }
        if let first = rest.first, "-*+".contains(first) {
            k += 1
        } else {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }.count
            guard (1...9).contains(digits), rest.dropFirst(digits).first.map({ $0 == "." || $0 == ")" }) == true else { return nil }
            k += digits + 1
        }
        guard k == rest.endIndex || rest[k] == " " || rest[k] == "\t" else { return nil }
        while k < rest.endIndex, rest[k] == " " || rest[k] == "\t" { k += 1 }
        for box in ["[ ]", "[x]", "[X]"] where rest[k...].starts(with: Array(box)) {
            let after = k + 3
            if after == rest.endIndex || rest[after] == " " || rest[after] == "\t" {
                k = after
                while k < rest.endIndex, rest[k] == " " || rest[k] == "\t" { k += 1 }
            }
        }
        return k - rest.startIndex
    }
}
