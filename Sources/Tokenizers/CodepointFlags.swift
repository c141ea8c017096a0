/// Unicode category flags of a codepoint, as llama.cpp's `unicode_cpt_flags` uses them for
/// pre-tokenization (`\p{L}`, `\p{N}`, `\s`, …).
struct CodepointFlags: OptionSet, Sendable {
    let rawValue: UInt16

    static let letter = CodepointFlags(rawValue: 1 << 0)
    static let number = CodepointFlags(rawValue: 1 << 1)
    static let whitespace = CodepointFlags(rawValue: 1 << 2)
    static let punctuation = CodepointFlags(rawValue: 1 << 3)
    static let symbol = CodepointFlags(rawValue: 1 << 4)
    static let mark = CodepointFlags(rawValue: 1 << 5)
    static let control = CodepointFlags(rawValue: 1 << 6)
    static let separator = CodepointFlags(rawValue: 1 << 7)
    /// Set for every assigned codepoint (llama.cpp's flags are all zero for unassigned ones).
    static let defined = CodepointFlags(rawValue: 1 << 8)

    /// Flags for `cp`; codepoints outside Unicode get no flags.
    static func of(_ cp: UInt32) -> CodepointFlags {
        if cp < 128 { return ascii[Int(cp)] }
        return compute(cp)
    }

    private static let ascii: [CodepointFlags] = (0..<128).map { compute(UInt32($0)) }

    private static func compute(_ cp: UInt32) -> CodepointFlags {
        guard let scalar = Unicode.Scalar(cp) else { return [] }
        let props = scalar.properties
        var flags: CodepointFlags = []
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            flags = [.letter, .defined]
        case .decimalNumber, .letterNumber, .otherNumber:
            flags = [.number, .defined]
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            flags = [.punctuation, .defined]
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            flags = [.symbol, .defined]
        case .nonspacingMark, .spacingMark, .enclosingMark:
            flags = [.mark, .defined]
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            flags = [.separator, .defined]
        case .control, .format, .surrogate, .privateUse:
            flags = [.control, .defined]
        case .unassigned:
            flags = []
        @unknown default:
            flags = [.defined]
        }
        if props.isWhitespace { flags.insert([.whitespace, .defined]) }
        return flags
    }

    var isLetter: Bool { contains(.letter) }
    var isNumber: Bool { contains(.number) }
    var isWhitespace: Bool { contains(.whitespace) }
    /// Not whitespace, letter or number, but an assigned codepoint: `[^\s\p{L}\p{N}]` in llama.cpp's
    /// hand-written splitters.
    var isOther: Bool { !contains(.whitespace) && !contains(.letter) && !contains(.number) && contains(.defined) }
}
