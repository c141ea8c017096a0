/// Turns generated tokens into text one at a time, emitting only complete UTF-8 characters: bytes of a
/// character split across tokens (common for emoji and CJK in byte-level vocabularies) are held back
/// until the character is complete.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: Tokenizer
    private let special: Bool
    private var pending: [UInt8] = []
    private var isFirst = true

    /// A detokenizer for `tokenizer`'s ids; control tokens render as nothing unless `special`.
    public init(tokenizer: Tokenizer, special: Bool = false) {
        self.tokenizer = tokenizer
        self.special = special
    }

    /// Adds one token and returns the text that became complete (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        var piece = tokenizer.tokenBytes(id, special: special)
        if isFirst && tokenizer.addSpacePrefix && piece.first == 0x20 { piece.removeFirst() }
        isFirst = false
        pending += piece
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns whatever is still held back (an incomplete character becomes U+FFFD) and resets.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix of `bytes` that does not end inside an unfinished UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var i = n - 1
        while i >= 0 && i >= n - 4 {
            let b = bytes[i]
            if b & 0xC0 == 0x80 { i -= 1; continue }  // continuation byte: keep looking for the lead
            if b >= 0xC0 {
                let needed = b >= 0xF0 ? 4 : (b >= 0xE0 ? 3 : 2)
                return n - i < needed ? i : n
            }
            return n  // ASCII
        }
        return n
    }
}
