/// SplitMix64: a small seeded generator whose output is the same on every machine and Swift version, with a
/// Codable state so a resumed run continues the same stream. Bounded integers and shuffles are implemented
/// here (not with the standard library's algorithms, which may change between releases).
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Hashable {
    /// The generator's whole state.
    public var state: UInt64

    /// A generator starting at `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The SplitMix64 output function (a strong 64-bit mix).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, exact).
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniform `Float` in `[0, 1)` (24 random bits).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A Fisher–Yates permutation of `0..<count`.
    public mutating func permutation(of count: Int) -> [Int] {
        var items = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = next(below: i + 1)
            items.swapAt(i, j)
            i -= 1
        }
        return items
    }

    /// A generator for stream `index` of `seed` (e.g. one per epoch), independent of the others.
    public static func derived(seed: UInt64, stream index: UInt64) -> SplitMix64 {
        SplitMix64(seed: mix(seed ^ mix(index &+ 0x632B_E59B_D9B4_E019)))
    }
}
