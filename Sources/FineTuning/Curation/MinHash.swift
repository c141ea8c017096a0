/// MinHash signatures over word shingles, for near-duplicate detection.
///
/// Words are maximal runs of ASCII letters and digits or non-ASCII bytes (so accented and CJK text counts),
/// ASCII-lowercased; a shingle is `shingleSize` consecutive words (a text with fewer words is one shingle).
/// Each shingle is hashed once to 64 bits; the 128 hash functions are `h_i(x) = fmix32(a_i·x + b_i)` with
/// odd multipliers `a_i` and offsets `b_i` drawn from SplitMix64 seeded with `seed`, so signatures are the
/// same in every run. The fraction of equal positions of two signatures estimates their Jaccard similarity.
public struct MinHash: Sendable {
    public static let functionCount = 128
    public let shingleSize: Int
    let multipliers: [SIMD16<UInt32>]
    let offsets: [SIMD16<UInt32>]

    public init(shingleSize: Int = 5, seed: UInt64 = 0x4D69_6E48_6173_6831) {
        self.shingleSize = max(1, shingleSize)
        var generator = StableHash.Generator(seed: seed)
        var a: [SIMD16<UInt32>] = []
        var b: [SIMD16<UInt32>] = []
        for _ in 0..<(Self.functionCount / 16) {
            var va = SIMD16<UInt32>(), vb = SIMD16<UInt32>()
            for lane in 0..<16 {
                va[lane] = UInt32(truncatingIfNeeded: generator.next()) | 1
                vb[lane] = UInt32(truncatingIfNeeded: generator.next())
            }
            a.append(va)
            b.append(vb)
        }
        multipliers = a
        offsets = b
    }

    /// A signature: 128 minima.
    public struct Signature: Sendable, Equatable {
        public var values: [UInt32]

        /// The estimated Jaccard similarity: the share of positions where both signatures agree.
        public func similarity(to other: Signature) -> Double {
            var equal = 0
            for i in 0..<min(values.count, other.values.count) where values[i] == other.values[i] { equal += 1 }
            return Double(equal) / Double(MinHash.functionCount)
        }
    }

    /// The signature of the texts taken as one word stream.
    public func signature<S: Sequence>(of texts: S) -> Signature where S.Element == String {
        var minima = [SIMD16<UInt32>](repeating: SIMD16(repeating: .max), count: Self.functionCount / 16)
        var window = [UInt64](repeating: 0, count: shingleSize)
        var wordCount = 0
        let n = shingleSize
        func add(_ shingle: UInt64) {
            let x = SIMD16<UInt32>(repeating: UInt32(truncatingIfNeeded: StableHash.mix(shingle)))
            for k in 0..<minima.count {
                var v = x &* multipliers[k] &+ offsets[k]
                v ^= v &>> 16
                v &*= 0x85EB_CA6B
                v ^= v &>> 13
                minima[k] = pointwiseMin(minima[k], v)
            }
        }
        func shingleHash(endingAt position: Int, length: Int) -> UInt64 {
            var h: UInt64 = 0x9AE1_6A3B_2F90_404F
            for j in 0..<length {
                h = (h ^ window[(position - length + 1 + j + n * 2) % n]) &* 0x0000_0100_0000_01B3
                h ^= h >> 29
            }
            return h
        }
        for text in texts {
            TextScan.forEachWordHash(in: text) { word in
                window[wordCount % n] = word
                if wordCount >= n - 1 { add(shingleHash(endingAt: wordCount, length: n)) }
                wordCount += 1
            }
        }
        if wordCount > 0, wordCount < n { add(shingleHash(endingAt: wordCount - 1, length: wordCount)) }
        var values: [UInt32] = []
        values.reserveCapacity(Self.functionCount)
        for m in minima { for lane in 0..<16 { values.append(m[lane]) } }
        return Signature(values: values)
    }

    /// The signature of a conversation's dialogue: its non-system turns (a long system prompt shared by many
    /// conversations would otherwise make short, different dialogues look alike); all turns when there are
    /// only system turns.
    public func signature(of conversation: Conversation) -> Signature {
        let dialogue = conversation.turns.filter { $0.role != .system }
        return signature(of: (dialogue.isEmpty ? conversation.turns : dialogue).lazy.map(\.text))
    }
}
