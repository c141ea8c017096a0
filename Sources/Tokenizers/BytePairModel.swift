/// Byte-level BPE as llama.cpp's `llm_tokenizer_bpe_session` does it: a word's bytes start as one
/// symbol each and the adjacent pair with the lowest merge rank (leftmost on ties) is merged until no
/// ranked pair remains.
///
/// Pieces are interned as integers: a piece that is a vocabulary entry uses its token id, other merge
/// operands get ids from `vocabularySize` upward, so merging never touches strings.
struct BytePairModel: Sendable {
    private struct Merge: Sendable { let rank: Int32; let result: Int32 }

    private struct Bigram: Comparable {
        let rank: Int32
        let left: Int32
        let right: Int32
        let leftPiece: Int32
        let rightPiece: Int32
        let result: Int32
        static func < (a: Bigram, b: Bigram) -> Bool { a.rank < b.rank || (a.rank == b.rank && a.left < b.left) }
        static func == (a: Bigram, b: Bigram) -> Bool { a.rank == b.rank && a.left == b.left }
    }

    let vocabularySize: Int
    /// Bytes a piece stands for → piece id (vocabulary entries first, then extra merge operands).
    private let pieceIDs: ByteTable
    /// Bytes of the pieces that are not vocabulary entries, indexed by `id - vocabularySize`.
    private let extraPieces: [[UInt8]]
    /// `(left << 32) | right` → merge rank and resulting piece.
    private let merges: [UInt64: Merge]
    /// Piece id of each single byte.
    private let byteIDs: [Int32]
    /// Tokens whose raw text is exactly one byte (llama.cpp's last-resort fallback).
    private let singleByteTokens: [Int32]
    private let ignoreMerges: Bool

    init(tokens: [String], merges mergeStrings: [String], ignoreMerges: Bool) {
        vocabularySize = tokens.count
        self.ignoreMerges = ignoreMerges
        var ids = ByteTable(capacity: tokens.count + 4096)
        var single = [Int32](repeating: -1, count: 256)
        var scratch: [UInt8] = []
        scratch.reserveCapacity(512)
        for (i, token) in tokens.enumerated() {
            var text = token
            text.withUTF8 { u in
                if ByteLevelMap.decode(utf8: u, into: &scratch) { ids.set(scratch, Int32(i)) }
                if u.count == 1 { single[Int(u[0])] = Int32(i) }
            }
        }
        var extra: [[UInt8]] = []
        func intern(_ bytes: [UInt8]) -> Int32 {
            if let id = ids.value(for: bytes) { return id }
            let id = Int32(tokens.count + extra.count)
            extra.append(bytes)
            ids.set(bytes, id)
            return id
        }
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(mergeStrings.count)
        var left: [UInt8] = [], right: [UInt8] = []
        left.reserveCapacity(256)
        right.reserveCapacity(256)
        for (rank, entry) in mergeStrings.enumerated() {
            var entry = entry
            let ok: Bool = entry.withUTF8 { u in
                guard u.count > 1, let space = u[1...].firstIndex(of: 0x20) else { return false }
                return ByteLevelMap.decode(utf8: UnsafeBufferPointer(rebasing: u[..<space]), into: &left)
                    && ByteLevelMap.decode(utf8: UnsafeBufferPointer(rebasing: u[(space + 1)...]), into: &right)
                    && !left.isEmpty && !right.isEmpty
            }
            guard ok else { continue }
            let l = intern(left), r = intern(right)
            let key = UInt64(UInt32(bitPattern: l)) << 32 | UInt64(UInt32(bitPattern: r))
            if table[key] == nil {
                table[key] = Merge(rank: Int32(rank), result: intern(left + right))
            }
        }
        byteIDs = (0..<256).map { intern([UInt8($0)]) }
        pieceIDs = ids
        extraPieces = extra
        merges = table
        singleByteTokens = single
    }

    /// Appends the token ids of one pre-tokenized word.
    func encode(word: ArraySlice<UInt8>, into out: inout [Int32]) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = pieceIDs.value(for: word), Int(id) < vocabularySize {
            out.append(id)
            return
        }
        let n = word.count
        var piece = word.map { byteIDs[Int($0)] }
        var prev = Array(-1..<(n - 1))
        var next = Array(1...n)
        next[n - 1] = -1
        var alive = [Bool](repeating: true, count: n)
        var queue = PriorityQueue<Bigram>()

        func addBigram(_ l: Int, _ r: Int) {
            guard l >= 0, r >= 0 else { return }
            let lp = piece[l], rp = piece[r]
            let key = UInt64(UInt32(bitPattern: lp)) << 32 | UInt64(UInt32(bitPattern: rp))
            guard let m = merges[key] else { return }
            queue.push(Bigram(rank: m.rank, left: Int32(l), right: Int32(r), leftPiece: lp, rightPiece: rp, result: m.result))
        }

        for i in 1..<max(n, 1) { addBigram(i - 1, i) }
        while let b = queue.pop() {
            let l = Int(b.left), r = Int(b.right)
            guard alive[l], alive[r], piece[l] == b.leftPiece, piece[r] == b.rightPiece else { continue }
            piece[l] = b.result
            alive[r] = false
            next[l] = next[r]
            if next[r] >= 0 { prev[next[r]] = l }
            addBigram(prev[l], l)
            addBigram(l, next[l])
        }

        var i = 0
        while i >= 0 {
            let id = piece[i]
            if Int(id) < vocabularySize {
                out.append(id)
            } else {
                // Not a token: llama.cpp looks up each byte of the GPT-2-encoded text on its own.
                for byte in extraPieces[Int(id) - vocabularySize] {
                    for u in ByteLevelMap.encodedUTF8(byte) where singleByteTokens[Int(u)] >= 0 {
                        out.append(singleByteTokens[Int(u)])
                    }
                }
            }
            i = next[i]
        }
    }
}
