/// Reads a Markdown document line by line into ``TranslationDocument`` pieces (see there for what is recognised).
/// Every byte of the input lands in exactly one piece, so the pieces joined are the input. When in doubt it keeps
/// text verbatim rather than send code to the model.
struct MarkdownBlockParser {
    /// One line: its text without the line ending, and the ending (`\n`, `\r\n`, or nothing at the end of the input).
    struct SourceLine {
        let body: [Character]
        let ending: String
        var whole: String { String(body) + ending }
    }

    /// Where a line's text starts: after the blockquote markers (`quoteEnd`) and the indentation (`textStart`), and
    /// that indentation's width in columns (a tab counts 4).
    struct Layout {
        let quoteEnd: Int
        let textStart: Int
        let width: Int
    }

    let lines: [SourceLine]
    let chunkLimit: Int
    private var pieces: [TranslationDocument.Piece] = []
    /// The lines of the paragraph or list item being read.
    private var open: [TranslationBlock.Line] = []
    /// The content column of the last list item while a list goes on (indented code starts four columns past it).
    private var listIndent: Int?
    private var i = 0

    init(_ text: String, chunkLimit: Int) {
        var lines: [SourceLine] = []
        let parts = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            if last, part.isEmpty { break }
            var bytes = Array(part), ending = last ? "" : "\n"
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast(); ending = "\r" + ending }
            lines.append(SourceLine(body: Array(String(decoding: bytes, as: UTF8.self)), ending: ending))
        }
        self.lines = lines
        self.chunkLimit = chunkLimit
    }

    mutating func parse() -> [TranslationDocument.Piece] {
        frontMatter()
        while i < lines.count { step() }
        flush()
        return pieces
    }

    // MARK: - Lines

    private mutating func step() {
        let line = lines[i], layout = Self.layout(line.body)
        let rest = line.body[layout.textStart...]
        if rest.allSatisfy(\.isWhitespace) {
            flush()
            keep(i)
            return
        }
        if open.isEmpty, layout.width >= (listIndent ?? 0) + 4 {
            // Indented code, with the blank lines inside it.
            var end = i + 1
            while end < lines.count, Self.isBlank(lines[end]) || Self.layout(lines[end].body).width >= (listIndent ?? 0) + 4 { end += 1 }
            while end > i + 1, Self.isBlank(lines[end - 1]) { end -= 1 }
            keep(i, through: end - 1)
            return
        }
        if let fence = Self.fence(rest) {
            flush()
            var end = i + 1
            while end < lines.count, !Self.closes(lines[end], fence) { end += 1 }
            keep(i, through: min(end, lines.count - 1))
            return
        }
        if Self.hasPrefix(rest, "<!--") {
            flush()
            var end = i
            var searchFrom = layout.textStart + 4
            while end < lines.count, !Self.contains(lines[end].body, "-->", from: end == i ? searchFrom : 0) { end += 1; searchFrom = 0 }
            keep(i, through: min(end, lines.count - 1))
            return
        }
        if Self.isHTMLBlockStart(rest) {
            flush()
            var end = i
            while end + 1 < lines.count, !Self.isBlank(lines[end + 1]) { end += 1 }
            keep(i, through: end)
            return
        }
        if Self.isThematicBreak(rest) || Self.isSetextUnderline(rest) || Self.isLinkDefinition(rest) {
            flush()
            keep(i)
            return
        }
        if rest.contains("|"), i + 1 < lines.count, Self.isDelimiterRow(lines[i + 1].body[Self.layout(lines[i + 1].body).textStart...]) {
            flush()
            table()
            return
        }
        if let markup = Self.headingMarkup(rest) {
            flush()
            if layout.width < (listIndent ?? 0) { listIndent = nil }
            block(line, textStart: layout.textStart + markup)
            return
        }
        if let markup = Self.itemMarkup(rest) {
            flush()
            listIndent = layout.width + markup
            open = [Self.split(line, textStart: layout.textStart + markup)]
            if open[0].content.isEmpty { open = []; keep(i) } else { i += 1 }
            return
        }
        if open.isEmpty, let indent = listIndent, layout.width < indent { listIndent = nil }
        open.append(Self.split(line, textStart: layout.textStart))
        i += 1
    }

    /// YAML front matter: a first line `---` and the lines up to the next `---` or `...`, kept.
    private mutating func frontMatter() {
        guard let first = lines.first, String(first.body) == "---",
              let end = lines.indices.dropFirst().first(where: { ["---", "..."].contains(String(lines[$0].body)) }) else { return }
        keep(0, through: end)
    }

    /// A GFM table from line `i`: each cell's text is a block; pipes, padding, the delimiter row and line endings are kept.
    private mutating func table() {
        row(lines[i])
        keep(i)
        while i < lines.count, !Self.isBlank(lines[i]), lines[i].body[Self.layout(lines[i].body).textStart...].contains("|") {
            row(lines[i])
        }
    }

    private mutating func row(_ line: SourceLine) {
        let body = line.body, start = Self.layout(body).textStart
        verbatim(String(body[..<start]))
        var cellStart = start, k = start
        while k < body.count {
            switch body[k] {
            case "\\":
                k += 2
            case "`":
                k = Self.codeSpanEnd(body, at: k)
            case "|":
                cell(body[cellStart..<k])
                verbatim("|")
                k += 1
                cellStart = k
            default:
                k += 1
            }
        }
        cell(body[cellStart..<min(k, body.count)])
        verbatim(line.ending)
        i += 1
    }

    private mutating func cell(_ cell: ArraySlice<Character>) {
        guard let first = cell.firstIndex(where: { !$0.isWhitespace }), let last = cell.lastIndex(where: { !$0.isWhitespace }) else {
            verbatim(String(cell))
            return
        }
        verbatim(String(cell[..<first]))
        add(TranslationBlock(lines: [.init(prefix: "", content: String(cell[first...last]), suffix: "")], chunkLimit: chunkLimit))
        verbatim(String(cell[(last + 1)...]))
    }

    /// A one-line block (a heading) whose text starts at `textStart`, without its closing `#`s.
    private mutating func block(_ line: SourceLine, textStart: Int) {
        var parts = Self.split(line, textStart: textStart)
        var content = Substring(parts.content)
        let hashes = content.reversed().prefix { $0 == "#" }.count
        if hashes > 0, hashes == content.count || content.dropLast(hashes).last.map({ $0 == " " || $0 == "\t" }) == true {
            content = content.dropLast(hashes)
            while let c = content.last, c == " " || c == "\t" { content = content.dropLast() }
            parts.suffix = String(parts.content.dropFirst(content.count)) + parts.suffix
            parts.content = String(content)
        }
        if parts.content.isEmpty { keep(i) } else { add(TranslationBlock(lines: [parts], chunkLimit: chunkLimit)); i += 1 }
    }

    // MARK: - Pieces

    private mutating func flush() {
        guard !open.isEmpty else { return }
        add(TranslationBlock(lines: open, chunkLimit: chunkLimit))
        open = []
    }

    private mutating func add(_ block: TranslationBlock) {
        if block.units.isEmpty { verbatim(block.render([])) } else { pieces.append(.block(block)) }
    }

    /// Keeps lines `start` through `end` (default: just `start`) and moves past them.
    private mutating func keep(_ start: Int, through end: Int? = nil) {
        let end = end ?? start
        verbatim(lines[start...end].map(\.whole).joined())
        i = end + 1
    }

    private mutating func verbatim(_ text: String) {
        guard !text.isEmpty else { return }
        if case let .verbatim(previous) = pieces.last {
            pieces[pieces.count - 1] = .verbatim(previous + text)
        } else {
            pieces.append(.verbatim(text))
        }
    }
}
