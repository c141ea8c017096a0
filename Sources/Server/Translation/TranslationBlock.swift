import Foundation

/// One translatable block of a Markdown document — a paragraph, a list item, a heading, a table cell — as the lines it
/// came from. Each line keeps its markup around the text: a prefix (indentation, blockquote `>`, list marker and task
/// box, heading `#`s) and a suffix (closing `#`s, trailing whitespace, the line ending). Emphasis wrapping the whole
/// text (`**…**`) is kept out too, as are the spans ``ProtectedText`` replaces with placeholders. The text left is cut
/// into ``units`` by ``SentenceChunker``.
struct TranslationBlock: Sendable {
    /// One source line: markup before, the text, markup and line ending after.
    struct Line: Sendable, Equatable {
        var prefix: String
        var content: String
        var suffix: String
    }

    let lines: [Line]
    /// Emphasis markers wrapping the whole text (`**`, `_`, `~~`), kept out of the translation.
    let lead: String, trail: String
    /// Whitespace before the first unit.
    let head: String
    /// The chunks sent to the model, in order.
    let units: [TranslationUnit]
    /// The whitespace after each unit.
    let gaps: [String]

    /// The block of `lines` (their contents joined with `\n`), cut into units of at most `chunkLimit` characters.
    init(lines: [Line], chunkLimit: Int = SentenceChunker.defaultLimit) {
        self.lines = lines
        var text = lines.map(\.content).joined(separator: "\n")
        (lead, trail) = Self.wrappingEmphasis(text)
        if !lead.isEmpty { text = String(text.dropFirst(lead.count).dropLast(trail.count)) }
        let protected = ProtectedText(text)
        let (head, chunks) = SentenceChunker.chunks(protected.text, limit: chunkLimit)
        self.head = head
        units = chunks.map { chunk in
            TranslationUnit(text: chunk.text, placeholders: protected.placeholders.filter { chunk.text.contains($0.token) })
        }
        gaps = chunks.map(\.gap)
    }

    /// The block's markup around `outputs`, one restored translation per unit. The translated lines take the source
    /// lines' prefixes and suffixes one for one when their number matches; otherwise (a heading or table cell that came
    /// back on two lines, a paragraph rewrapped) the translation becomes one line between the first prefix and the last
    /// suffix. The source's own units give back the source byte for byte.
    func render(_ outputs: [String]) -> String {
        var body = head
        for (output, gap) in zip(outputs, gaps) { body += output + gap }
        let text = lead + body + trail
        let translated = Self.splitLines(text)
        if translated.count == lines.count {
            return zip(lines, translated).map { $0.prefix + $1 + $0.suffix }.joined()
        }
        let oneLine = translated.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        return (lines.first?.prefix ?? "") + oneLine + (lines.last?.suffix ?? "")
    }

    /// `text` split at each `\n` (a `\r` before it stays with the line).
    static func splitLines(_ text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The emphasis markers wrapping all of `text` (`**bold paragraph**`), or empty strings: the same marker at both
    /// ends, not occurring inside, with no whitespace just inside it.
    static func wrappingEmphasis(_ text: String) -> (String, String) {
        for marker in ["***", "___", "**", "__", "~~", "*", "_"] where text.count > 2 * marker.count {
            guard text.hasPrefix(marker), text.hasSuffix(marker) else { continue }
            let inner = text.dropFirst(marker.count).dropLast(marker.count)
            guard let first = inner.first, let last = inner.last, !first.isWhitespace, !last.isWhitespace,
                  !inner.contains(marker.first!) else { continue }
            return (marker, marker)
        }
        return ("", "")
    }
}
