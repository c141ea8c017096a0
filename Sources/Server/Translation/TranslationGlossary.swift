import Foundation

/// The request's `glossary`: source terms and the translations they must get. A term is present in a text when it
/// occurs case-insensitively on word boundaries (no letter or digit just before or after it, except in scripts
/// written without spaces: Chinese, Japanese, Thai…, where any occurrence counts); a translation is honoured when
/// the output contains it the same way. ``misses(source:output:)`` is the check after generation;
/// ``protecting(_:)`` builds the constrained retry, with the terms already replaced by their translations.
struct TranslationGlossary: Sendable {
    struct Entry: Sendable, Equatable {
        let source: String
        let target: String
    }

    /// The entries, longest source term first (so "web server" is found before "server").
    let entries: [Entry]

    init(_ terms: [String: String]) {
        entries = terms.map { Entry(source: $0.key, target: $0.value) }
            .sorted { ($0.source.count, $1.source) > ($1.source.count, $0.source) }
    }

    var isEmpty: Bool { entries.isEmpty }

    /// The entries whose source term occurs in `text`.
    func entries(in text: String) -> [Entry] {
        entries.filter { !Self.occurrences(of: $0.source, in: text).isEmpty }
    }

    /// The source terms present in `source` whose translation is missing from `output`.
    func misses(source: String, output: String) -> [String] {
        entries(in: source).filter { Self.occurrences(of: $0.target, in: output).isEmpty }.map(\.source)
    }

    /// `unit` with every occurrence of a term replaced by a placeholder standing for the term's translation, numbered
    /// after the unit's own. Occurrences overlapping a longer term or an existing token are left alone.
    func protecting(_ unit: TranslationUnit) -> TranslationUnit {
        let text = unit.text
        var taken: [Range<String.Index>] = []
        var search = text[...]
        while let token = TranslationUnit.firstToken(in: search) {
            taken.append(token.range)
            search = text[token.range.upperBound...]
        }
        var matches: [(range: Range<String.Index>, entry: Entry)] = []
        for entry in entries {
            for range in Self.occurrences(of: entry.source, in: text) where !taken.contains(where: { $0.overlaps(range) }) {
                taken.append(range)
                matches.append((range, entry))
            }
        }
        guard !matches.isEmpty else { return unit }
        var next = (unit.placeholders.map(\.number).max() ?? 0) + 1
        var result = "", position = text.startIndex, placeholders = unit.placeholders
        for match in matches.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            let placeholder = TranslationPlaceholder(number: next, original: match.entry.target, kind: .term)
            next += 1
            result += text[position..<match.range.lowerBound] + placeholder.token
            placeholders.append(placeholder)
            position = match.range.upperBound
        }
        result += text[position...]
        return TranslationUnit(text: result, placeholders: placeholders)
    }

    /// The ranges where `term` occurs in `text`, case-insensitively and on word boundaries.
    static func occurrences(of term: String, in text: String) -> [Range<String.Index>] {
        guard !term.isEmpty else { return [] }
        var found: [Range<String.Index>] = []
        var from = text.startIndex
        while from < text.endIndex, let range = text.range(of: term, options: [.caseInsensitive], range: from..<text.endIndex) {
            let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : nil
            let after = range.upperBound < text.endIndex ? text[range.upperBound] : nil
            if !joins(before, term.first!), !joins(after, term.last!) { found.append(range) }
            from = text.index(after: range.lowerBound)
        }
        return found
    }

    /// Whether `neighbour` continues the word that `edge` (a term's first or last character) belongs to.
    private static func joins(_ neighbour: Character?, _ edge: Character) -> Bool {
        guard let neighbour else { return false }
        return isWordCharacter(neighbour) && isWordCharacter(edge) && !isUnspaced(neighbour) && !isUnspaced(edge)
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }

    /// Characters of scripts written without spaces between words (CJK, kana, Thai, Lao, Khmer, Myanmar).
    private static func isUnspaced(_ c: Character) -> Bool {
        guard let v = c.unicodeScalars.first?.value else { return false }
        return (0x3040...0x30FF).contains(v) || (0x3400...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x20000...0x2FFFF).contains(v) || (0x0E00...0x0EFF).contains(v) || (0x1000...0x109F).contains(v)
            || (0x1780...0x17FF).contains(v)
    }
}
