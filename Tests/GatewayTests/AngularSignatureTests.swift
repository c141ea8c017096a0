import Foundation
import Gateway
import Testing

/// The random-hyperplane prefilter of the semantic cache: no pair at the threshold is filtered out, and
/// unrelated vectors are.
@Suite("Angular signatures")
struct AngularSignatureTests {
    static func unit(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / n }
    }

    /// A unit vector at exactly `cosine` to unit vector `a`.
    static func vector(at cosine: Float, to a: [Float], using g: inout some RandomNumberGenerator) -> [Float] {
        var r = (0..<a.count).map { _ in Float.random(in: -1...1, using: &g) }
        let along = zip(r, a).reduce(0) { $0 + $1.0 * $1.1 }
        r = unit(zip(r, a).map { $0.0 - along * $0.1 })   // orthogonal to a
        let sine = (1 - cosine * cosine).squareRoot()
        return zip(a, r).map { cosine * $0.0 + sine * $0.1 }
    }

    static func distance(_ x: [UInt64], _ y: [UInt64]) -> Int {
        zip(x, y).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
    }

    @Test func pairsAtTheThresholdAlwaysPassAndUnrelatedOnesDoNot() {
        let hasher = AngularSignature(dimension: 384)
        let bound = hasher.distanceBound(forCosine: 0.9)
        #expect(bound > 55 && bound < 110)   // mean 55 for cosine 0.9
        var g = SystemRandomNumberGenerator()
        var passedUnrelated = 0, maximum = 0
        for _ in 0..<2000 {
            let a = Self.unit((0..<384).map { _ in Float.random(in: -1...1, using: &g) })
            var sa: [UInt64] = [], sb: [UInt64] = [], sc: [UInt64] = []
            hasher.append(a, to: &sa)
            hasher.append(Self.vector(at: 0.9, to: a, using: &g), to: &sb)
            hasher.append(Self.vector(at: 0.3, to: a, using: &g), to: &sc)
            let near = Self.distance(sa, sb)
            maximum = max(maximum, near)
            #expect(near <= bound, "a pair at cosine 0.9 is \(near) bits apart, bound \(bound)")
            if Self.distance(sa, sc) <= bound { passedUnrelated += 1 }
        }
        #expect(passedUnrelated == 0)
        #expect(maximum > 55)   // the distances really spread (a broken hasher gives 0)
    }

    @Test func signaturesAreDeterministic() {
        let a = AngularSignature(dimension: 64, bits: 128), b = AngularSignature(dimension: 64, bits: 128)
        let v = Self.unit((0..<64).map { Float($0) - 31.5 })
        var x: [UInt64] = [], y: [UInt64] = []
        a.append(v, to: &x)
        b.append(v, to: &y)
        #expect(x == y && x.count == 2)
        #expect(a.distanceBound(forCosine: 1) == 1 && a.distanceBound(forCosine: -1) == 128)
    }
}
