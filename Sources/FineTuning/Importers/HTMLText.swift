import Foundation

/// Turns the small HTML of exported answers (Gemini's `safeHtmlItem`) into plain text.
///
/// Tags (`<` followed by a letter, `/` or `!`) are removed; `</p>`, `</h1>`…`</h6>`, `</ul>`, `</ol>`, `</pre>`, `</blockquote>`, `</table>`, `<hr>` end a
/// paragraph (blank line), `<br>`, `</li>`, `</div>`, `</tr>` end a line, `<li>` starts a line with `- `, and a
/// cell ends with a space. Runs of white space in text collapse to one space except inside `<pre>`; the contents
/// of `<script>` and `<style>` are dropped. Entities decoded: `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp;`,
/// `&#NNN;` and `&#xHH;`; any other `&name;` is kept as written.
public enum HTMLText {
    /// The plain text of `html`.
    public static func plainText(_ html: String) -> String {
        var renderer = Renderer()
        let scalars = Array(html.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "<", i + 1 < scalars.count, startsTag(scalars[i + 1]), let end = scalars[(i + 1)...].firstIndex(of: ">") {
                renderer.tag(String(String.UnicodeScalarView(scalars[(i + 1)..<end])))
                i = end + 1
            } else if c == "&", let (decoded, length) = entity(scalars, at: i) {
                renderer.text(decoded)
                i += length
            } else {
                renderer.text(Character(c))
                i += 1
            }
        }
        return renderer.result()
    }

    /// Whether `<` followed by `next` opens a tag (`a < b` is text).
    static func startsTag(_ next: Unicode.Scalar) -> Bool {
        next == "/" || next == "!" || (next.isASCII && next.properties.isAlphabetic)
    }

    /// The character of the entity at `i` and its length, when it is one of the decoded entities.
    static func entity(_ s: [Unicode.Scalar], at i: Int) -> (Character, Int)? {
        guard let semicolon = s[i...].prefix(12).firstIndex(of: ";") else { return nil }
        let name = String(String.UnicodeScalarView(s[(i + 1)..<semicolon]))
        let length = semicolon - i + 1
        switch name {
        case "amp": return ("&", length)
        case "lt": return ("<", length)
        case "gt": return (">", length)
        case "quot": return ("\"", length)
        case "apos", "#39": return ("'", length)
        case "nbsp": return ("\u{00A0}", length)
        default: break
        }
        guard name.hasPrefix("#") else { return nil }
        let digits = name.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" { value = UInt32(digits.dropFirst(), radix: 16) } else { value = UInt32(digits) }
        guard let value, let scalar = Unicode.Scalar(value) else { return nil }
        return (Character(scalar), length)
    }

    /// Builds the text; newlines requested by tags are emitted only before the next visible text.
    struct Renderer {
        private var output = ""
        private var pendingNewlines = 0
        private var pendingSpace = false
        private var preDepth = 0
        private var listDepth = 0
        private var skipping: String?

        mutating func tag(_ raw: String) {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            let closing = trimmed.hasPrefix("/")
            let name = trimmed.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if let skipped = skipping {
                if closing, name == skipped { skipping = nil }
                return
            }
            switch (name, closing) {
            case ("script", false), ("style", false):
                if !trimmed.hasSuffix("/") { skipping = name }
            case ("br", _): pendingNewlines = min(pendingNewlines + 1, 2); pendingSpace = false
            case ("hr", _): paragraph()
            case ("p", true), ("h1", true), ("h2", true), ("h3", true), ("h4", true), ("h5", true), ("h6", true),
                 ("blockquote", true), ("table", true):
                listDepth > 0 ? line() : paragraph()
            case ("pre", false): paragraph(); preDepth += 1
            case ("pre", true): preDepth = max(0, preDepth - 1); paragraph()
            case ("ul", false), ("ol", false): line(); listDepth += 1
            case ("ul", true), ("ol", true):
                listDepth = max(0, listDepth - 1)
                listDepth > 0 ? line() : paragraph()
            case ("li", false):
                line()
                emitPending()
                output += String(repeating: "  ", count: max(0, listDepth - 1)) + "- "
            case ("li", true), ("div", true), ("tr", true): line()
            case ("td", true), ("th", true): pendingSpace = true
            default: break
            }
        }

        mutating func text(_ c: Character) {
            guard skipping == nil else { return }
            if preDepth == 0, c == " " || c == "\n" || c == "\t" || c == "\r" {
                pendingSpace = true
                return
            }
            emitPending()
            output.append(c)
        }

        mutating func result() -> String {
            output.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.replacingOccurrences(of: "\u{00A0}", with: " ").trimmingTrailingSpaces() }
                .joined(separator: "\n")
                .trimmingWhitespace()
        }

        private mutating func line() { pendingNewlines = max(pendingNewlines, 1); pendingSpace = false }
        private mutating func paragraph() { pendingNewlines = 2; pendingSpace = false }

        private mutating func emitPending() {
            if !output.isEmpty {
                if pendingNewlines > 0 {
                    output += String(repeating: "\n", count: pendingNewlines)
                } else if pendingSpace, output.last != " ", output.last != "\n" {
                    output += " "
                }
            }
            pendingNewlines = 0
            pendingSpace = false
        }
    }
}

private extension StringProtocol {
    func trimmingTrailingSpaces() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return String(self[startIndex..<end])
    }
}
