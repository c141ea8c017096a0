/// Hashes that are the same in every run and on every machine (Swift's `Hasher` is seeded per process), used
/// for duplicate detection, MinHash shingles and the seeded split.
public enum StableHash {
    /// 64-bit FNV-1a over bytes, continuing from `seed`.
    @inlinable
    public static func fnv1a<S: Sequence>(_ bytes: S, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }

    /// A strong 64-bit mix (the SplitMix64 finalizer).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Two 64-bit lanes over `bytes`, eight bytes at a time (fast; not for adversarial input).
    @inlinable
    public static func lanes(_ bytes: UnsafeBufferPointer<UInt8>, _ a: inout UInt64, _ b: inout UInt64) {
        var i = 0
        let n = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                a = ((a ^ w) &* 0x9E37_79B9_7F4A_7C15)
                a ^= a >> 32
                b = ((b &+ w) &* 0xC2B2_AE3D_27D4_EB4F)
                b ^= b >> 29
                i += 8
            }
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        a = mix(a ^ tail ^ UInt64(n))
        b = mix(b &+ tail &+ UInt64(n) &* 0x1F)
    }

    /// A 128-bit fingerprint of a conversation's roles and texts (collisions are negligible for exact dedup).
    public static func fingerprint(_ conversation: Conversation) -> Fingerprint {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for turn in conversation.turns {
            var role = turn.role.rawValue
            role.withUTF8 { lanes($0, &a, &b) }
            var text = turn.text
            text.withUTF8 { lanes($0, &a, &b) }
        }
        return Fingerprint(high: mix(a), low: mix(b ^ a))
    }

    /// A 128-bit content fingerprint.
    public struct Fingerprint: Hashable, Sendable {
        public let high: UInt64
        public let low: UInt64
    }

    /// A deterministic pseudo-random generator (SplitMix64), for seeded sampling.
    public struct Generator: RandomNumberGenerator, Sendable {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return StableHash.mix(state &- 0x9E37_79B9_7F4A_7C15)
        }
    }
}
