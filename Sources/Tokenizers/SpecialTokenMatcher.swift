/// Splits raw text around occurrences of special tokens' text before the model's own tokenization —
/// llama.cpp's `tokenizer_st_partition`.
///
/// llama.cpp tries special tokens longest first and cuts every remaining text fragment at each
/// occurrence. User-defined tokens are always matched; control and unknown tokens only when parsing
/// special tokens. To stay fast on large vocabularies the tokens that occur at all are found first
/// (a hash lookup per position and candidate length), then llama.cpp's cut order is applied to just
/// those.
struct SpecialTokenMatcher: Sendable {
    /// A piece of the input: raw text (a byte range) or an already-decided token.
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    private struct Entry: Sendable {
        let id: Int32
        let bytes: [UInt8]
        let alwaysMatched: Bool
    }

    private let entries: [Entry]
    /// Text → entry index.
    private let table: ByteTable
    /// Distinct text lengths of the entries starting with each byte.
    private let lengths: [[Int]]

    init(tokens: [String], kinds: [TokenKind]) {
        var entries: [Entry] = []
        var lengthSets = [Set<Int>](repeating: [], count: 256)
        var table = ByteTable(capacity: 64)
        for (i, kind) in kinds.enumerated() where kind.isSpecial {
            let bytes = Array(tokens[i].utf8)
            guard let first = bytes.first else { continue }
            // Later duplicates win, like llama.cpp's text → id map.
            table.set(bytes, Int32(entries.count))
            lengthSets[Int(first)].insert(bytes.count)
            entries.append(Entry(id: Int32(i), bytes: bytes, alwaysMatched: kind == .userDefined))
        }
        self.entries = entries
        self.table = table
        lengths = lengthSets.map { $0.sorted() }
    }

    /// The fragments of `bytes`, in order.
    func partition(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        let present = presentEntries(in: bytes, parseSpecial: parseSpecial)
        guard !present.isEmpty else { return fragments }

        for e in present {
            let entry = entries[e]
            var out: [Fragment] = []
            out.reserveCapacity(fragments.count + 2)
            for fragment in fragments {
                guard case var .text(range) = fragment else { out.append(fragment); continue }
                while let match = Self.find(entry.bytes, in: bytes, range: range) {
                    if match > range.lowerBound { out.append(.text(range.lowerBound..<match)) }
                    out.append(.token(entry.id))
                    range = (match + entry.bytes.count)..<range.upperBound
                }
                if !range.isEmpty { out.append(.text(range)) }
            }
            fragments = out
        }
        return fragments
    }

    /// Indices of entries occurring in `bytes`, longest text first (ties by id).
    private func presentEntries(in bytes: [UInt8], parseSpecial: Bool) -> [Int] {
        var found = Set<Int>()
        bytes.withUnsafeBufferPointer { buf in
            for p in 0..<buf.count {
                for len in lengths[Int(buf[p])] {
                    guard len <= buf.count - p else { break }
                    guard let e = table.value(for: UnsafeBufferPointer(rebasing: buf[p..<(p + len)])) else { continue }
                    if parseSpecial || entries[Int(e)].alwaysMatched { found.insert(Int(e)) }
                }
            }
        }
        return found.sorted {
            let a = entries[$0], b = entries[$1]
            return a.bytes.count != b.bytes.count ? a.bytes.count > b.bytes.count : a.id < b.id
        }
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], range: Range<Int>) -> Int? {
        let n = needle.count
        guard n > 0, range.count >= n else { return nil }
        var p = range.lowerBound
        let last = range.upperBound - n
        while p <= last {
            if hay[p] == needle[0] {
                var k = 1
                while k < n && hay[p + k] == needle[k] { k += 1 }
                if k == n { return p }
            }
            p += 1
        }
        return nil
    }
}
