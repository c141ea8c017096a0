import Foundation

/// BERT's uncased WordPiece tokenizer (as in `BertTokenizer(do_lower_case=True)`), from a `vocab.txt`:
///
/// 1. clean: drop NUL, U+FFFD and control characters; every whitespace becomes a space;
/// 2. put spaces around CJK ideographs, split on whitespace;
/// 3. lower-case, decompose (NFD) and drop combining marks (accents);
/// 4. split off every punctuation character (ASCII symbols count as punctuation, as in BERT);
/// 5. WordPiece: greedy longest match, continuation pieces prefixed `##`; a word with no match, or longer
///    than 100 characters, becomes `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let unknownID: Int32
    public let classifierID: Int32
    public let separatorID: Int32
    public let paddingID: Int32
    static let maxWordCharacters = 100

    /// Reads one token per line; a line's number (from 0) is its id.
    public init(vocabularyFile: URL) throws(WordPieceError) {
        let text: String
        do {
            text = try String(contentsOf: vocabularyFile, encoding: .utf8)
        } catch {
            throw .unreadableVocabulary(vocabularyFile.path, reason: (error as NSError).localizedDescription)
        }
        var vocabulary: [String: Int32] = [:]
        var id: Int32 = 0
        text.enumerateLines { line, _ in
            if vocabulary[line] == nil { vocabulary[line] = id }
            id += 1
        }
        try self.init(vocabulary: vocabulary)
    }

    public init(vocabulary: [String: Int32]) throws(WordPieceError) {
        func special(_ token: String) throws(WordPieceError) -> Int32 {
            guard let id = vocabulary[token] else { throw .missingSpecialToken(token) }
            return id
        }
        self.vocabulary = vocabulary
        unknownID = try special("[UNK]")
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        paddingID = try special("[PAD]")
    }

    /// `[CLS] tokens… [SEP]`, at most `maxTokens` ids in all (the text's tokens are truncated).
    public func encode(_ text: String, maxTokens: Int = 256) -> [Int32] {
        var ids = [classifierID]
        let budget = max(0, maxTokens - 2)
        outer: for word in basicTokens(text) {
            for id in wordPieces(word) {
                guard ids.count - 1 < budget else { break outer }
                ids.append(id)
            }
        }
        ids.append(separatorID)
        return ids
    }

    /// Steps 1–4: the words WordPiece then splits.
    func basicTokens(_ text: String) -> [String] {
        var spaced = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v == 0 || v == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                spaced.append(" ")
            } else if Self.isCJK(v) {
                spaced.append(" "); spaced.append(scalar); spaced.append(" ")
            } else {
                spaced.append(scalar)
            }
        }
        var words: [String] = []
        for piece in String(spaced).split(separator: " ", omittingEmptySubsequences: true) {
            let folded = piece.lowercased().decomposedStringWithCanonicalMapping
            var current = String.UnicodeScalarView()
            for scalar in folded.unicodeScalars {
                if scalar.properties.generalCategory == .nonspacingMark { continue }
                if Self.isPunctuation(scalar) {
                    if !current.isEmpty { words.append(String(current)); current.removeAll() }
                    words.append(String(scalar))
                } else {
                    current.append(scalar)
                }
            }
            if !current.isEmpty { words.append(String(current)) }
        }
        return words
    }

    /// Step 5 for one word.
    func wordPieces(_ word: String) -> [Int32] {
        let chars = Array(word.unicodeScalars)
        guard chars.count <= Self.maxWordCharacters else { return [unknownID] }
        var pieces: [Int32] = []
        var start = 0
        while start < chars.count {
            var end = chars.count
            var found: Int32?
            while start < end {
                var candidate = String(String.UnicodeScalarView(chars[start..<end]))
                if start > 0 { candidate = "##" + candidate }
                if let id = vocabulary[candidate] { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            pieces.append(id)
            start = end
        }
        return pieces
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.generalCategory == .spaceSeparator
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        let c = s.properties.generalCategory
        return c == .control || c == .format
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}

/// Why a WordPiece vocabulary could not be used.
public enum WordPieceError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableVocabulary(String, reason: String)
    case missingSpecialToken(String)

    public var description: String {
        switch self {
        case let .unreadableVocabulary(path, reason): return "cannot read vocabulary \(path): \(reason)"
        case let .missingSpecialToken(token): return "the vocabulary has no \(token) token"
        }
    }
}
