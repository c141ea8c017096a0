/// A Markdown document as the translator sees it: an ordered list of pieces, each either kept byte for byte (code
/// blocks, HTML, blank lines, table rules, link definitions, front matter, and the markup between a table's cells) or
/// a ``TranslationBlock`` of prose (paragraphs, list items, headings, blockquoted text, table cells) whose units go to
/// the model. ``reassembled(_:)`` puts the translated units back in their markup; given the source units themselves it
/// returns the document exactly as it came (the round trip the tests check).
///
/// What is recognised (``MarkdownBlockParser``): fenced code (three or more backticks or tildes, with an info string,
/// closed by a fence of the same character at least as long, or running to the end), indented code (four spaces past
/// any list item's content), HTML comments and HTML blocks of block-level tags (up to a blank line), ATX headings,
/// list items (`-`, `*`, `+`, `1.`, `1)`, task boxes), blockquotes (`>`, nested), GFM tables, thematic breaks, setext
/// underlines, link reference definitions, footnote definitions (their text is translated) and YAML front matter.
/// Inside a block, ``ProtectedText`` keeps inline code, HTML, URLs and link destinations out of the model's sight.
struct TranslationDocument: Sendable {
    /// One piece of the document, in order.
    enum Piece: Sendable {
        /// Kept exactly as it is.
        case verbatim(String)
        /// Translated.
        case block(TranslationBlock)
    }

    let pieces: [Piece]

    /// Parses `markdown`, cutting long paragraphs into units of at most `chunkLimit` characters.
    init(markdown: String, chunkLimit: Int = SentenceChunker.defaultLimit) {
        var parser = MarkdownBlockParser(markdown, chunkLimit: chunkLimit)
        pieces = parser.parse()
    }

    /// The translatable blocks, in order.
    var blocks: [TranslationBlock] {
        pieces.compactMap { if case let .block(block) = $0 { block } else { nil } }
    }

    /// Every unit of every block, in order: what ``reassembled(_:)`` expects one output for.
    var units: [TranslationUnit] { blocks.flatMap(\.units) }

    /// The text of the prose without its placeholders, for language detection.
    var plainText: String { units.map(\.plainText).joined(separator: "\n") }

    /// The document with `outputs[i]` (the restored translation of `units[i]`) in place of each unit.
    func reassembled(_ outputs: [String]) -> String {
        precondition(outputs.count == units.count, "one output per unit")
        var result = "", next = 0
        for piece in pieces {
            switch piece {
            case let .verbatim(text):
                result += text
            case let .block(block):
                result += block.render(Array(outputs[next..<(next + block.units.count)]))
                next += block.units.count
            }
        }
        return result
    }
}
