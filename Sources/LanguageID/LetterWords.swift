/// A text as lingua-style words: lower-cased runs of letters (Unicode category L), except that every Han, Hangul,
/// Hiragana and Katakana character is a word of its own; with the count of letters per script.
struct LetterWords {
    private(set) var words: [[Unicode.Scalar]] = []
    private(set) var letterCount = 0
    private var scriptCounts: [Script: Int] = [:]

    init(_ text: String) {
        var current: [Unicode.Scalar] = []
        for scalar in text.lowercased().unicodeScalars {
            guard Self.isLetter(scalar) else {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                continue
            }
            letterCount += 1
            let script = Script.of(scalar)
            if let script { scriptCounts[script, default: 0] += 1 }
            if script == .han || script == .hangul || script == .hiragana || script == .katakana {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// True when the text has kana and its kana and Han outnumber every other script: Japanese.
    var isJapanese: Bool {
        let kana = scriptCounts[.hiragana, default: 0] + scriptCounts[.katakana, default: 0]
        guard kana > 0 else { return false }
        let japanese = kana + scriptCounts[.han, default: 0]
        return scriptCounts.allSatisfy { $0.key == .han || $0.key == .hiragana || $0.key == .katakana || $0.value < japanese }
    }

    /// The script with the most letters (ties broken by the script's order), nil when there are none.
    var mainScript: Script? {
        if isJapanese { return .han }
        return scriptCounts.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }?.key
    }
}
