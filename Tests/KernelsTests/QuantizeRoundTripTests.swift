import Foundation
import GGUF
import Testing
@testable import Kernels

/// dequantize(quantize(x)) stays within each type's error budget.
@Suite struct QuantizeRoundTripTests {
    /// Largest relative RMS error accepted on weight-like data (roughly Gaussian, one value in 61
    /// fifteen times larger), per type: about 1.3 × what the reference algorithms give here
    /// (Q8_0 0.0115, Q6_K 0.033, Q5_K 0.051, Q5_1 0.052, Q5_0 0.090, Q4_K 0.100, Q4_1 0.108, Q4_0 0.167).
    static let budgets: [(TensorType, Double)] = [
        (.f32, 0), (.f16, 0.0005), (.bf16, 0.004), (.q8_0, 0.015), (.q6_K, 0.043),
        (.q5_0, 0.12), (.q5_1, 0.068), (.q5_K, 0.066), (.q4_0, 0.22), (.q4_1, 0.14), (.q4_K, 0.13),
    ]

    static func weights(count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix(seed: seed)
        return (0..<count).map { i in
            let g = (0..<4).reduce(Float(0)) { s, _ in s + Float.random(in: 0..<1, using: &rng) } - 2
            return i % 61 == 7 ? g * 0.3 : g * 0.02
        }
    }

    @Test("relative RMS error within budget", arguments: budgets.map { $0.0.rawValue })
    func rmsError(raw: UInt32) {
        let type = TensorType(rawValue: raw)!
        let budget = Self.budgets.first { $0.0 == type }!.1
        let x = Self.weights(count: 256 * 64, seed: 5)
        let back = Quantize.decode(type, Quantize.encode(type, x), count: x.count)
        var err = 0.0, sig = 0.0
        for (a, b) in zip(x, back) { err += Double(a - b) * Double(a - b); sig += Double(a) * Double(a) }
        let relative = (err / sig).squareRoot()
        #expect(relative <= budget, "\(type): relative RMS error \(relative) > \(budget)")
        if type == .f32 { #expect(back == x) }
    }

    @Test("Q8_0: every element within 0.57·d of its input (half a step plus the f16 rounding of d)")
    func q8ElementBound() {
        let x = Self.weights(count: 32 * 512, seed: 8)
        let back = Quantize.decode(.q8_0, Quantize.encode(.q8_0, x), count: x.count)
        for b in 0..<(x.count / 32) {
            let amax = x[(32 * b)..<(32 * b + 32)].map(\.magnitude).max()!
            let d = amax / 127
            for i in (32 * b)..<(32 * b + 32) {
                #expect((x[i] - back[i]).magnitude <= 0.57 * d, "element \(i)")
            }
        }
    }

    @Test("zero blocks decode to zeros; constant blocks to (nearly) the constant", arguments: Quantize.supportedTypes.map(\.rawValue))
    func degenerateBlocks(raw: UInt32) {
        let type = TensorType(rawValue: raw)!
        let zeros = [Float](repeating: 0, count: 512)
        #expect(Quantize.decode(type, Quantize.encode(type, zeros), count: 512).allSatisfy { $0 == 0 })
        for c: Float in [0.37, -1.5] {
            let constant = [Float](repeating: c, count: 512)
            let back = Quantize.decode(type, Quantize.encode(type, constant), count: 512)
            #expect(back.allSatisfy { ($0 - c).magnitude <= c.magnitude * 0.02 }, "\(type) constant \(c): \(back[0])")
        }
    }

    @Test("splitting over threads does not change a byte", arguments: [TensorType.q8_0, .q4_K, .q6_K, .f16].map(\.rawValue))
    func threadedEqualsSerial(raw: UInt32) {
        let type = TensorType(rawValue: raw)!
        let x = Self.weights(count: 256 * 97, seed: 11)
        let pool = ThreadPool(threadCount: 3)
        #expect(Quantize.encode(type, x, pool: pool) == Quantize.encode(type, x))
    }
}
