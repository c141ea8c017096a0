/// A block's text with everything that must reach the output untouched replaced by placeholders: inline code spans,
/// HTML comments and tags, autolinks, bare URLs, link destinations (`[text](url)`: the text is translated, `(url)`
/// is kept) and references (`[text][ref]`, `[^1]`). Backslash escapes stay as they are, so `` \` `` opens nothing.
struct ProtectedText: Sendable, Equatable {
    /// The text the model sees, with `⟦n⟧` tokens.
    let text: String
    /// The placeholders, numbered from 1 in order of appearance.
    let placeholders: [TranslationPlaceholder]

    init(_ source: String) {
        var scanner = Scanner(Array(source))
        scanner.run()
        text = scanner.output
        placeholders = scanner.placeholders
    }

    /// The scan itself: one pass over the characters.
    private struct Scanner {
        let chars: [Character]
        var i = 0
        var output = ""
        var placeholders: [TranslationPlaceholder] = []

        init(_ chars: [Character]) { self.chars = chars }

        mutating func keep(_ end: Int, _ kind: TranslationPlaceholder.Kind) {
            let placeholder = TranslationPlaceholder(number: placeholders.count + 1, original: String(chars[i..<end]), kind: kind)
            placeholders.append(placeholder)
            output += placeholder.token
            i = end
        }

        func starts(with prefix: String, at index: Int) -> Bool {
            var k = index
            for c in prefix {
                guard k < chars.count, chars[k] == c else { return false }
                k += 1
            }
            return true
        }

        /// The index just after the first occurrence of `needle` at or after `from`, or nil.
        func end(of needle: String, from: Int) -> Int? {
            var k = from
            while k < chars.count {
                if starts(with: needle, at: k) { return k + needle.count }
                k += 1
            }
            return nil
        }

        mutating func run() {
            while i < chars.count {
                let c = chars[i]
                switch c {
                case "\\":
                    output.append(c)
                    if i + 1 < chars.count { output.append(chars[i + 1]) }
                    i += 2
                case "`":
                    var n = 0
                    while i + n < chars.count, chars[i + n] == "`" { n += 1 }
                    if let close = closingBackticks(count: n, from: i + n) {
                        keep(close, .code)
                    } else {
                        output += String(repeating: "`", count: n)
                        i += n
                    }
                case "<":
                    if let end = angleSpanEnd() { keep(end.index, end.kind) } else { output.append(c); i += 1 }
                case "]":
                    output.append(c)
                    i += 1
                    if let end = linkTargetEnd() { keep(end, .link) }
                case "[" where i + 1 < chars.count && chars[i + 1] == "^":
                    if let end = end(of: "]", from: i + 2), !chars[i..<end].contains("\n") { keep(end, .footnote) } else { output.append(c); i += 1 }
                case "⟦", "⟧":
                    keep(i + 1, .code)
                case "h", "w", "H", "W":
                    if let end = urlEnd() { keep(end, .url) } else { output.append(c); i += 1 }
                default:
                    output.append(c)
                    i += 1
                }
            }
        }

        /// The end of a code span opened by `count` backticks ending at `from`: after the next run of exactly that many.
        func closingBackticks(count: Int, from: Int) -> Int? {
            var k = from
            while k < chars.count {
                if chars[k] == "`" {
                    var n = 0
                    while k + n < chars.count, chars[k + n] == "`" { n += 1 }
                    if n == count { return k + n }
                    k += n
                } else {
                    k += 1
                }
            }
            return nil
        }

        /// `<!-- … -->`, an autolink `<scheme:…>` / `<a@b.c>`, or an HTML tag `<tag …>` / `</tag>` starting at `i`.
        func angleSpanEnd() -> (index: Int, kind: TranslationPlaceholder.Kind)? {
            if starts(with: "<!--", at: i) { return (end(of: "-->", from: i + 4) ?? chars.count, .html) }
            guard let close = chars[(i + 1)...].firstIndex(of: ">") else { return nil }
            let inner = chars[(i + 1)..<close]
            guard let first = inner.first, !inner.contains("<"), !inner.contains("\n") else { return nil }
            if !inner.contains(" "), inner.contains(":") || inner.contains("@"), first.isLetter { return (close + 1, .url) }
            if first.isLetter || (first == "/" && inner.dropFirst().first?.isLetter == true) { return (close + 1, .html) }
            return nil
        }

        /// After a `]`: the end of `(destination "title")` with balanced parentheses on one line, or of `[ref]`.
        func linkTargetEnd() -> Int? {
            guard i < chars.count else { return nil }
            if chars[i] == "[" {
                guard let end = end(of: "]", from: i + 1), !chars[i..<end].contains("\n") else { return nil }
                return end
            }
            guard chars[i] == "(" else { return nil }
            var depth = 0, k = i, inAngle = false
            while k < chars.count, chars[k] != "\n" {
                switch chars[k] {
                case "\\": k += 1
                case "<": inAngle = true
                case ">": inAngle = false
                case "(" where !inAngle: depth += 1
                case ")" where !inAngle:
                    depth -= 1
                    if depth == 0 { return k + 1 }
                default: break
                }
                k += 1
            }
            return nil
        }

        /// A bare `http://`, `https://` or `www.` URL starting at `i` (after a non-word character), without trailing
        /// punctuation or an unbalanced `)`.
        func urlEnd() -> Int? {
            if i > 0, chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "/" { return nil }
            let lower = String(chars[i..<min(chars.count, i + 8)]).lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("www.") else { return nil }
            var k = i
            while k < chars.count, !chars[k].isWhitespace, !"<>\"`⟦⟧".contains(chars[k]) { k += 1 }
            while k > i, ".,:;!?'*_~".contains(chars[k - 1]) || (chars[k - 1] == ")" && unbalanced(i..<k)) { k -= 1 }
            return k - i > 7 ? k : nil
        }

        func unbalanced(_ range: Range<Int>) -> Bool {
            chars[range].filter { $0 == ")" }.count > chars[range].filter { $0 == "(" }.count
        }
    }
}
