/// SentencePiece-style BPE as llama.cpp's `llm_tokenizer_spm_session` does it: the text (spaces already
/// replaced by U+2581) starts as one symbol per UTF-8 character, and the adjacent pair whose
/// concatenation is a vocabulary entry with the highest score (leftmost on ties) is merged until none
/// remains. Symbols that are not entries fall back to `<0xXX>` byte tokens.
struct SentencePieceModel: Sendable {
    private struct Bigram: Comparable {
        let score: Float
        let left: Int32
        let right: Int32
        let size: Int32
        static func < (a: Bigram, b: Bigram) -> Bool { a.score > b.score || (a.score == b.score && a.left < b.left) }
        static func == (a: Bigram, b: Bigram) -> Bool { a.score == b.score && a.left == b.left }
    }

    private let ids: ByteTable
    private let scores: [Float]
    private let byteTokens: [Int32]

    init(tokens: [String], scores: [Float], unknownID: Int32?) {
        var ids = ByteTable(capacity: tokens.count)
        for (i, token) in tokens.enumerated() {
            var text = token
            text.withUTF8 { ids.set($0, Int32(i)) }
        }
        self.ids = ids
        self.scores = scores
        let hex = Array("0123456789ABCDEF".utf8)
        byteTokens = (0..<256).map { b in
            let name: [UInt8] = Array("<0x".utf8) + [hex[b >> 4], hex[b & 15], UInt8(ascii: ">")]
            return ids.value(for: name) ?? ids.value(for: [UInt8(b)]) ?? unknownID ?? 0
        }
    }

    /// The token whose raw text is `bytes`.
    func id(for bytes: [UInt8]) -> Int32? { ids.value(for: bytes) }

    /// Appends the token ids of `text` (already whitespace-escaped).
    func encode(_ text: [UInt8], into out: inout [Int32]) {
        guard !text.isEmpty else { return }
        var starts: [Int] = []
        var lengths: [Int] = []
        var offset = 0
        while offset < text.count {
            let len = min(Self.utf8Length(text[offset]), text.count - offset)
            starts.append(offset)
            lengths.append(len)
            offset += len
        }
        let n = starts.count
        var prev = Array(-1..<(n - 1))
        var next = Array(1...n)
        next[n - 1] = -1
        var queue = PriorityQueue<Bigram>()

        func tryAdd(_ l: Int, _ r: Int) {
            guard l >= 0, r >= 0 else { return }
            let size = lengths[l] + lengths[r]
            guard let token = ids.value(for: text[starts[l]..<(starts[l] + size)]), Int(token) < scores.count else { return }
            queue.push(Bigram(score: scores[Int(token)], left: Int32(l), right: Int32(r), size: Int32(size)))
        }

        for i in 1..<max(n, 1) { tryAdd(i - 1, i) }
        while let b = queue.pop() {
            let l = Int(b.left), r = Int(b.right)
            guard lengths[l] > 0, lengths[r] > 0, lengths[l] + lengths[r] == Int(b.size) else { continue }
            lengths[l] += lengths[r]
            lengths[r] = 0
            next[l] = next[r]
            if next[r] >= 0 { prev[next[r]] = l }
            tryAdd(prev[l], l)
            tryAdd(l, next[l])
        }

        var i = 0
        while i >= 0 {
            let piece = text[starts[i]..<(starts[i] + lengths[i])]
            if let token = ids.value(for: piece) {
                out.append(token)
            } else {
                for byte in piece { out.append(byteTokens[Int(byte)]) }
            }
            i = next[i]
        }
    }

    /// llama.cpp's `unicode_len_utf8`: sequence length from the lead byte (1 for stray continuations).
    @inline(__always) static func utf8Length(_ b: UInt8) -> Int {
        switch b >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }
}
