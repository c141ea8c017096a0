/// Splits template source into tokens, applying whitespace control (`{%-`, `-%}`, `{{-`, `-}}`), Jinja's
/// `trim_blocks` / `lstrip_blocks` options, `{# comments #}` and `{% raw %}` blocks.
struct TemplateLexer {
    private let scalars: [Unicode.Scalar]
    private var lineStarts: [Int] = [0]
    private let trimBlocks: Bool
    private let lstripBlocks: Bool
    private var tokens: [TemplateToken] = []
    private var i = 0

    init(source: String, trimBlocks: Bool = true, lstripBlocks: Bool = true) {
        var s = Array(source.unicodeScalars)
        // Jinja's default keep_trailing_newline=False drops one trailing newline.
        if s.last == "\n" { s.removeLast() }
        scalars = s
        for (index, c) in s.enumerated() where c == "\n" { lineStarts.append(index + 1) }
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
    }

    /// Line and column (1-based) of a scalar offset.
    func position(_ offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - lineStarts[lo] + 1)
    }

    func error(_ message: String, at offset: Int) -> ChatTemplateError {
        let p = position(offset)
        return .syntax(message: message, line: p.line, column: p.column)
    }

    private mutating func add(_ kind: TemplateToken.Kind, at offset: Int) {
        let p = position(offset)
        tokens.append(TemplateToken(kind: kind, line: p.line, column: p.column))
    }

    private func at(_ offset: Int, _ text: String) -> Bool {
        var k = offset
        for c in text.unicodeScalars {
            guard k < scalars.count, scalars[k] == c else { return false }
            k += 1
        }
        return true
    }

    /// Tokenizes the whole source.
    mutating func tokenize() throws(ChatTemplateError) -> [TemplateToken] {
        var stripLeading = false, dropNewline = false
        while i < scalars.count {
            var tagStart = i
            while tagStart + 1 < scalars.count, !(scalars[tagStart] == "{" && "{%#".unicodeScalars.contains(scalars[tagStart + 1])) {
                tagStart += 1
            }
            if tagStart + 1 >= scalars.count { tagStart = scalars.count }
            var text = Array(scalars[i..<tagStart])
            let lineStarting = i == 0 || scalars[i - 1] == "\n"
            if stripLeading {
                text = Array(text.drop(while: Self.isSpace))
            } else if dropNewline, text.first == "\n" {
                text.removeFirst()
            } else if dropNewline, text.count >= 2, text[0] == "\r", text[1] == "\n" {
                text.removeFirst(2)
            }
            stripLeading = false
            dropNewline = false
            if tagStart < scalars.count {
                let kind = scalars[tagStart + 1]
                let modifier: Unicode.Scalar? = tagStart + 2 < scalars.count ? scalars[tagStart + 2] : nil
                if modifier == "-" {
                    while let last = text.last, Self.isSpace(last) { text.removeLast() }
                } else if lstripBlocks, kind != "{", modifier != "+" {
                    let lineStart = (text.lastIndex(of: "\n")).map { $0 + 1 }
                    if lineStart != nil || lineStarting {
                        let from = lineStart ?? 0
                        if text[from...].allSatisfy({ $0 == " " || $0 == "\t" }) { text.removeSubrange(from...) }
                    }
                }
            }
            if !text.isEmpty {
                var s = ""
                s.unicodeScalars.append(contentsOf: text)
                add(.text(s), at: i)
            }
            if tagStart >= scalars.count { i = scalars.count; break }
            let kind = scalars[tagStart + 1]
            i = tagStart + 2
            if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" { i += 1 }
            switch kind {
            case "#":
                guard let close = find("#}", from: i) else { throw error("unterminated comment", at: tagStart) }
                stripLeading = close > i && scalars[close - 1] == "-"
                dropNewline = trimBlocks
                i = close + 2
            case "{":
                add(.expressionOpen, at: tagStart)
                stripLeading = try lexInside(closing: "}", tagStart: tagStart).strip
                add(.expressionClose, at: i - 2)
            default:
                add(.blockOpen, at: tagStart)
                let firstToken = tokens.count
                let (strip, keepNewline) = try lexInside(closing: "%", tagStart: tagStart)
                stripLeading = strip
                dropNewline = trimBlocks && !keepNewline
                if tokens.count == firstToken + 1, tokens[firstToken].kind == .name("raw") {
                    tokens.removeLast(2)
                    try lexRaw(stripLeading: strip, dropNewline: dropNewline, start: tagStart)
                    (stripLeading, dropNewline) = rawEnd
                } else {
                    add(.blockClose, at: i - 2)
                }
            }
        }
        add(.end, at: scalars.count)
        return tokens
    }

    private var rawEnd = (false, false)

    /// After `{% raw %}`: everything up to `{% endraw %}` is text.
    private mutating func lexRaw(stripLeading: Bool, dropNewline: Bool, start: Int) throws(ChatTemplateError) {
        var search = i
        while let open = find("{%", from: search) {
            var k = open + 2
            let stripBefore = k < scalars.count && scalars[k] == "-"
            if k < scalars.count, scalars[k] == "-" || scalars[k] == "+" { k += 1 }
            while k < scalars.count, Self.isSpace(scalars[k]) { k += 1 }
            guard at(k, "endraw") else { search = open + 2; continue }
            k += 6
            while k < scalars.count, Self.isSpace(scalars[k]) { k += 1 }
            let stripAfter = at(k, "-%}")
            let keep = at(k, "+%}")
            if stripAfter || keep { k += 1 }
            guard at(k, "%}") else { throw error("malformed endraw tag", at: open) }
            var text = Array(scalars[i..<open])
            if stripLeading { text = Array(text.drop(while: Self.isSpace)) }
            else if dropNewline, text.first == "\n" { text.removeFirst() }
            if stripBefore { while let last = text.last, Self.isSpace(last) { text.removeLast() } }
            if !text.isEmpty {
                var s = ""
                s.unicodeScalars.append(contentsOf: text)
                add(.text(s), at: i)
            }
            i = k + 2
            rawEnd = (stripAfter, trimBlocks && !keep)
            return
        }
        throw error("unterminated raw block", at: start)
    }

    private func find(_ text: String, from: Int) -> Int? {
        var k = from
        while k < scalars.count {
            if at(k, text) { return k }
            k += 1
        }
        return nil
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}"
    }

    /// Lexes the inside of a `{{ }}` or `{% %}` tag; returns whether it closed with `-` (strip following
    /// whitespace) and with `+` (keep the following newline).
    private mutating func lexInside(closing: Unicode.Scalar, tagStart: Int) throws(ChatTemplateError) -> (strip: Bool, keep: Bool) {
        var depth = 0
        let close = String(closing) + "}"
        while true {
            while i < scalars.count, Self.isSpace(scalars[i]) { i += 1 }
            guard i < scalars.count else { throw error("unterminated tag", at: tagStart) }
            if depth == 0 {
                if at(i, close) { i += 2; return (false, false) }
                if at(i, "-" + close) { i += 3; return (true, false) }
                if closing == "%", at(i, "+%}") { i += 3; return (false, true) }
            }
            let c = scalars[i]
            let start = i
            if c == "_" || c.properties.isAlphabetic {
                while i < scalars.count, scalars[i] == "_" || scalars[i].properties.isAlphabetic || ("0"..."9").contains(scalars[i]) { i += 1 }
                add(.name(text(start, i)), at: start)
            } else if ("0"..."9").contains(c) {
                try lexNumber()
            } else if c == "'" || c == "\"" {
                add(.string(try lexString(quote: c)), at: start)
            } else {
                let two = i + 1 < scalars.count ? text(i, i + 2) : ""
                if ["//", "**", "==", "!=", "<=", ">="].contains(two) {
                    i += 2
                    add(.symbol(two), at: start)
                } else if "+-*/%~|.,:()[]{}<>=!".unicodeScalars.contains(c) {
                    if "([{".unicodeScalars.contains(c) { depth += 1 }
                    if ")]}".unicodeScalars.contains(c) { depth = max(0, depth - 1) }
                    i += 1
                    add(.symbol(String(c)), at: start)
                } else {
                    throw error("unexpected character '\(c)'", at: start)
                }
            }
        }
    }

    private func text(_ from: Int, _ to: Int) -> String {
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars[from..<min(to, scalars.count)])
        return s
    }

    private mutating func lexNumber() throws(ChatTemplateError) {
        let start = i
        func digits() { while i < scalars.count, ("0"..."9").contains(scalars[i]) || scalars[i] == "_" { i += 1 } }
        digits()
        var isFloat = false
        if i + 1 < scalars.count, scalars[i] == ".", ("0"..."9").contains(scalars[i + 1]) {
            isFloat = true
            i += 1
            digits()
        }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
            var k = i + 1
            if k < scalars.count, scalars[k] == "+" || scalars[k] == "-" { k += 1 }
            if k < scalars.count, ("0"..."9").contains(scalars[k]) {
                isFloat = true
                i = k
                digits()
            }
        }
        let literal = String(text(start, i).filter { $0 != "_" })
        if isFloat, let d = Double(literal) { add(.float(d), at: start) }
        else if let n = Int(literal) { add(.integer(n), at: start) }
        else { throw error("invalid number '\(literal)'", at: start) }
    }

    private mutating func lexString(quote: Unicode.Scalar) throws(ChatTemplateError) -> String {
        let start = i
        i += 1
        var out = String.UnicodeScalarView()
        while i < scalars.count, scalars[i] != quote {
            var c = scalars[i]
            if c == "\\", i + 1 < scalars.count {
                i += 1
                c = scalars[i]
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "0": out.append("\0")
                case "u", "x":
                    let width = c == "u" ? 4 : 2
                    let hex = text(i + 1, i + 1 + width)
                    guard hex.count == width, let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else {
                        throw error("invalid escape in string", at: i - 1)
                    }
                    out.append(s)
                    i += width
                case "\\", "'", "\"": out.append(c)
                case "\n": break
                default: out.append("\\"); out.append(c)
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        guard i < scalars.count else { throw error("unterminated string", at: start) }
        i += 1
        return String(out)
    }
}
