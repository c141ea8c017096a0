#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level text scans used on the hot path of curation (Character-level `String` operations are an order
/// of magnitude slower on large exports). All of them treat non-ASCII bytes as word characters.
enum TextScan {
    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b >= 0x80 || b == 0x27
    }

    /// Calls `body` with the 64-bit hash of every ASCII-lowercased word, in order.
    static func forEachWordHash(in text: String, _ body: (UInt64) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            var inWord = false
            for var b in bytes {
                if isWordByte(b) {
                    if b >= 0x41 && b <= 0x5A { b |= 0x20 }
                    h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
                    inWord = true
                } else if inWord {
                    body(h)
                    h = 0xcbf2_9ce4_8422_2325
                    inWord = false
                }
            }
            if inWord { body(h) }
        }
    }

    /// True when `text` has at least two whitespace-separated words.
    static func hasTwoWords(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var state = 0 // 0 before the first word, 1 in it, 2 after it
            for b in bytes {
                let space = b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
                switch state {
                case 0: if !space { state = 1 }
                case 1: if space { state = 2 }
                default: if !space { return true }
                }
            }
            return false
        }
    }

    /// The text's bytes with ASCII letters lowercased and the typographic apostrophe (U+2019) turned into `'`.
    static func asciiLowercased(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { bytes in
            var out = [UInt8](repeating: 0, count: bytes.count)
            var n = 0
            out.withUnsafeMutableBufferPointer { out in
                var i = 0
                while i < bytes.count {
                    let b = bytes[i]
                    if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0x99 {
                        out[n] = 0x27
                        i += 3
                    } else {
                        out[n] = b &- 0x41 < 26 ? b | 0x20 : b
                        i += 1
                    }
                    n += 1
                }
            }
            out.removeLast(out.count - n)
            return out
        }
    }

    /// True when the bytes at `haystack` contain the bytes at `needle` (memchr for the first byte, then memcmp).
    static func contains(_ haystack: UnsafeRawPointer?, _ count: Int, _ needle: UnsafeRawPointer, _ needleCount: Int) -> Bool {
        guard let haystack, needleCount > 0, count >= needleCount else { return needleCount == 0 }
        let first = Int32(needle.load(as: UInt8.self))
        var offset = 0
        let last = count - needleCount
        while offset <= last {
            guard let hit = memchr(haystack + offset, first, last - offset + 1) else { return false }
            let position = UnsafeRawPointer(hit) - haystack
            if needleCount == 1 || (haystack + position + 1).load(as: UInt8.self) == needle.load(fromByteOffset: 1, as: UInt8.self),
               memcmp(haystack + position, needle, needleCount) == 0 { return true }
            offset = position + 1
        }
        return false
    }

    /// True when `haystack` contains `needle` (bytes).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in contains(h.baseAddress, h.count, n.baseAddress!, n.count) }
        }
    }

    /// How common a byte is in lowercased English text (higher is more common), to anchor searches on rare bytes.
    static func commonness(_ b: UInt8) -> Int {
        let order = Array(" etaoinshrdlcumwfgypbvkjxqz".utf8)
        if let i = order.firstIndex(of: b) { return 100 - i }
        return 0
    }

    /// A phrase to find in lowercased text, searched by its rarest byte (memchr on a common first byte such as
    /// "i" would stop at almost every word).
    struct Phrase: Sendable {
        let bytes: [UInt8]
        let anchor: Int

        init(_ text: String) {
            let utf8 = Array(text.utf8)
            bytes = utf8
            anchor = utf8.indices.min { TextScan.commonness(utf8[$0]) < TextScan.commonness(utf8[$1]) } ?? 0
        }

        func occurs(in haystack: [UInt8]) -> Bool {
            let n = bytes.count
            guard n > 0, haystack.count >= n else { return n == 0 }
            return haystack.withUnsafeBytes { h in
                bytes.withUnsafeBytes { p in
                    let base = h.baseAddress!
                    let key = Int32(bytes[anchor])
                    var from = anchor
                    let lastAnchor = h.count - n + anchor
                    while from <= lastAnchor {
                        guard let hit = memchr(base + from, key, lastAnchor - from + 1) else { return false }
                        let at = UnsafeRawPointer(hit) - base
                        if memcmp(base + (at - anchor), p.baseAddress!, n) == 0 { return true }
                        from = at + 1
                    }
                    return false
                }
            }
        }
    }

    /// True when the UTF-8 of `text` contains `needle`.
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { h in
            contains(h.baseAddress.map(UnsafeRawPointer.init), h.count, needle.utf8Start, needle.utf8CodeUnitCount)
        }
    }

    /// Whether `text` has an ASCII lowercase letter (the fast way out of the all-caps check).
    static func hasASCIILowercase(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.contains { $0 >= 0x61 && $0 <= 0x7A } }
    }
}
