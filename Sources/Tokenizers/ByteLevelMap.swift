/// GPT-2's reversible byte ↔ printable-codepoint table used by byte-level BPE vocabularies.
///
/// Bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` map to themselves; the remaining 68 bytes map to U+0100 upward in
/// byte order (so a space becomes `Ġ`, a newline `Ċ`).
enum ByteLevelMap {
    /// `codepoint[b]` is the codepoint standing for byte `b`.
    static let codepoint: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = 256 + n
                n += 1
            }
        }
        return table
    }()

    /// The byte a codepoint stands for, or nil when the codepoint is not in the table.
    static func byte(for cp: UInt32) -> UInt8? {
        if cp < 256 {
            return codepoint[Int(cp)] == cp ? UInt8(cp) : nil
        }
        if cp < 256 + 68 { return reverseHigh[Int(cp - 256)] }
        return nil
    }

    private static let reverseHigh: [UInt8] = {
        var out = [UInt8](repeating: 0, count: 68)
        for b in 0..<256 where codepoint[b] >= 256 { out[Int(codepoint[b] - 256)] = UInt8(b) }
        return out
    }()

    /// Decodes a vocabulary entry's text to the bytes it stands for; nil if any codepoint is outside
    /// the table.
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let b = byte(for: scalar.value) else { return nil }
            out.append(b)
        }
        return out
    }

    /// Decodes the UTF-8 of a vocabulary entry into `out` (cleared first); false if any codepoint is
    /// outside the table. Every table codepoint is below U+0144, so at most two UTF-8 bytes each.
    static func decode(utf8 u: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var i = 0
        let n = u.count
        while i < n {
            let b = u[i]
            if b < 0x80 {
                guard b >= 0x21 && b <= 0x7E else { return false }
                out.append(b)
                i += 1
            } else if b & 0xE0 == 0xC0, i + 1 < n {
                guard let x = byte(for: UInt32(b & 0x1F) << 6 | UInt32(u[i + 1] & 0x3F)) else { return false }
                out.append(x)
                i += 2
            } else {
                return false
            }
        }
        return true
    }

    /// UTF-8 of the codepoint standing for byte `b` (what llama.cpp's `unicode_byte_to_utf8` returns).
    static func encodedUTF8(_ b: UInt8) -> [UInt8] {
        Array(String(Unicode.Scalar(codepoint[Int(b)])!).utf8)
    }
}
