/// A writing system, named by its ISO 15924 code. Only letters are classified; digits, punctuation and symbols
/// have no script here.
public enum Script: String, Sendable, CaseIterable, Codable {
    case latin = "Latn", greek = "Grek", cyrillic = "Cyrl", armenian = "Armn", hebrew = "Hebr", arabic = "Arab"
    case thaana = "Thaa", devanagari = "Deva", bengali = "Beng", gurmukhi = "Guru", gujarati = "Gujr", oriya = "Orya"
    case tamil = "Taml", telugu = "Telu", kannada = "Knda", malayalam = "Mlym", sinhala = "Sinh", thai = "Thai"
    case lao = "Laoo", tibetan = "Tibt", myanmar = "Mymr", georgian = "Geor", hangul = "Hang", ethiopic = "Ethi"
    case khmer = "Khmr", mongolian = "Mong", hiragana = "Hira", katakana = "Kana", han = "Hani"

    /// The bit of this script in a ``ScriptSet``.
    var bit: UInt32 { UInt32(1) << UInt32(Self.allCases.firstIndex(of: self)!) }

    /// The script of a letter, or nil for anything else (and for letters of scripts not listed).
    public static func of(_ scalar: Unicode.Scalar) -> Script? {
        let v = scalar.value
        switch v {
        case 0x41...0x5A, 0x61...0x7A, 0xAA, 0xBA, 0xC0...0x24F, 0x250...0x2AF, 0x1D00...0x1DBF, 0x1E00...0x1EFF,
             0x2C60...0x2C7F, 0xA720...0xA7FF, 0xAB30...0xAB6F, 0xFB00...0xFB06, 0xFF21...0xFF3A, 0xFF41...0xFF5A:
            return .latin
        case 0x370...0x3FF, 0x1F00...0x1FFF: return .greek
        case 0x400...0x52F, 0x1C80...0x1C8F, 0x2DE0...0x2DFF, 0xA640...0xA69F: return .cyrillic
        case 0x530...0x58F, 0xFB13...0xFB17: return .armenian
        case 0x590...0x5FF, 0xFB1D...0xFB4F: return .hebrew
        case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .arabic
        case 0x780...0x7BF: return .thaana
        case 0x900...0x97F, 0xA8E0...0xA8FF: return .devanagari
        case 0x980...0x9FF: return .bengali
        case 0xA00...0xA7F: return .gurmukhi
        case 0xA80...0xAFF: return .gujarati
        case 0xB00...0xB7F: return .oriya
        case 0xB80...0xBFF: return .tamil
        case 0xC00...0xC7F: return .telugu
        case 0xC80...0xCFF: return .kannada
        case 0xD00...0xD7F: return .malayalam
        case 0xD80...0xDFF: return .sinhala
        case 0xE00...0xE7F: return .thai
        case 0xE80...0xEFF: return .lao
        case 0xF00...0xFFF: return .tibetan
        case 0x1000...0x109F: return .myanmar
        case 0x10A0...0x10FF, 0x1C90...0x1CBF, 0x2D00...0x2D2F: return .georgian
        case 0x1100...0x11FF, 0x3130...0x318F, 0xA960...0xA97F, 0xAC00...0xD7AF, 0xD7B0...0xD7FF: return .hangul
        case 0x1200...0x139F, 0x2D80...0x2DDF, 0xAB00...0xAB2F: return .ethiopic
        case 0x1780...0x17FF, 0x19E0...0x19FF: return .khmer
        case 0x1800...0x18AF: return .mongolian
        case 0x3040...0x309F: return .hiragana
        case 0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return .katakana
        case 0x3005, 0x3007, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: return .han
        default: return nil
        }
    }

    /// The language a script is written in when no profile covers it and only one major language uses it.
    var soleLanguage: String? {
        switch self {
        case .thaana: return "dv"
        case .oriya: return "or"
        case .kannada: return "kn"
        case .malayalam: return "ml"
        case .sinhala: return "si"
        case .lao: return "lo"
        case .tibetan: return "bo"
        case .myanmar: return "my"
        case .khmer: return "km"
        case .ethiopic: return "am"
        case .hangul: return "ko"
        case .thai: return "th"
        case .armenian: return "hy"
        case .georgian: return "ka"
        case .greek: return "el"
        case .hebrew: return "he"
        default: return nil
        }
    }
}

/// A set of scripts as a bit mask (the compiled profile table stores one per language).
struct ScriptSet: Sendable, Equatable {
    var rawValue: UInt32

    func contains(_ script: Script) -> Bool { rawValue & script.bit != 0 }
    mutating func insert(_ script: Script) { rawValue |= script.bit }
}
