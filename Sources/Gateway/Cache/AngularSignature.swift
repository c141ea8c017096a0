import Foundation

/// Random-hyperplane signatures of unit vectors (Charikar's SimHash): bit `b` of a vector's signature is
/// the sign of its dot product with the `b`-th of `bits` fixed Gaussian directions. For two vectors at
/// angle θ each bit differs with probability θ/π, independently across directions, so the Hamming distance
/// of two signatures is Binomial(bits, θ/π) — a cheap, provable filter in front of an exact cosine.
///
/// The directions come from a fixed seed; signatures are never stored, only recomputed from vectors.
public struct AngularSignature: Sendable {
    public let dimension: Int
    /// Signature length in bits (a multiple of 64).
    public let bits: Int
    public var words: Int { bits / 64 }
    /// `bits × dimension` directions, row-major.
    private let directions: [Float]

    public init(dimension: Int, bits: Int = 384, seed: UInt64 = 0x5EED_CAC4E) {
        precondition(bits > 0 && bits % 64 == 0, "signature bits must be a positive multiple of 64")
        self.dimension = dimension
        self.bits = bits
        var state = seed
        func uniform() -> Double {   // SplitMix64 → (0, 1)
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Double(z >> 11) + 0.5) / 9_007_199_254_740_992
        }
        var directions = [Float](repeating: 0, count: bits * dimension)
        for i in directions.indices {   // Box–Muller: any spherically symmetric distribution works
            directions[i] = Float((-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()))
        }
        self.directions = directions
    }

    /// Appends the signature of `vector` (`words` 64-bit words) to `out`.
    public func append(_ vector: [Float], to out: inout [UInt64]) {
        precondition(vector.count == dimension, "vector has \(vector.count) values, signatures expect \(dimension)")
        var word: UInt64 = 0
        directions.withUnsafeBufferPointer { d in
            vector.withUnsafeBufferPointer { v in
                for b in 0..<bits {
                    let row = d.baseAddress! + b * dimension
                    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
                    var j = 0
                    while j + 16 <= dimension {
                        s0.addProduct(SIMD8(UnsafeBufferPointer(start: row + j, count: 8)), SIMD8(UnsafeBufferPointer(start: v.baseAddress! + j, count: 8)))
                        s1.addProduct(SIMD8(UnsafeBufferPointer(start: row + j + 8, count: 8)), SIMD8(UnsafeBufferPointer(start: v.baseAddress! + j + 8, count: 8)))
                        j += 16
                    }
                    var dot = (s0 + s1).sum()
                    while j < dimension { dot += row[j] * v[j]; j += 1 }
                    if dot >= 0 { word |= 1 << UInt64(b & 63) }
                    if b & 63 == 63 {
                        out.append(word)
                        word = 0
                    }
                }
            }
        }
    }

    /// The largest Hamming distance a pair with cosine ≥ `cosine` shows except with probability below
    /// about 1e-9 (mean + 6 standard deviations of Binomial(bits, θ/π), θ = arccos(cosine)).
    public func distanceBound(forCosine cosine: Float) -> Int {
        let c = Double(max(-1, min(1, cosine)))
        let p = acos(c) / Double.pi
        let n = Double(bits)
        return min(bits, Int((n * p + 6 * (n * p * (1 - p)).squareRoot()).rounded(.up)) + 1)
    }
}
