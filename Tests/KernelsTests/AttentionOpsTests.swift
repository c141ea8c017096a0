import Foundation
import Kernels
import Testing

/// The attention helpers against straightforward scalar versions.
struct AttentionOpsTests {
    @Test(arguments: [1, 7, 8, 31, 32, 64, 100, 256])
    func weightedSumMatchesScalar(dim: Int) {
        var generator = SystemRandomNumberGenerator()
        for count in [1, 3, 17, 130] {
            let stride = dim + 5
            let weights = (0..<count).map { _ in Float.random(in: 0...1, using: &generator) }
            let values = (0..<(count * stride)).map { _ in Float.random(in: -2...2, using: &generator) }
            var out = [Float](repeating: .nan, count: dim)
            weights.withUnsafeBufferPointer { w in
                values.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { o in
                        Ops.weightedSum(weights: w.baseAddress!, count: count, values: v.baseAddress!, stride: stride, dim: dim, output: o.baseAddress!)
                    }
                }
            }
            for d in 0..<dim {
                var expected: Double = 0
                for j in 0..<count { expected += Double(weights[j]) * Double(values[j * stride + d]) }
                #expect(abs(Double(out[d]) - expected) <= 1e-4 * max(1, abs(expected)), "dim \(dim) count \(count) d \(d)")
            }
        }
    }

    @Test(arguments: [1, 5, 8, 9, 64, 513])
    func softmaxMatchesScalar(count: Int) {
        let x: [Float] = (0..<count).map { i in
            let base = Float(i % 13) * 0.7 - 4
            return base + Float(i) * 0.01
        }
        var y = x
        y.withUnsafeMutableBufferPointer { Ops.softmax($0.baseAddress!, count: count) }
        let m = x.max()!
        let exps = x.map { exp(Double($0 - m)) }
        let sum = exps.reduce(0, +)
        for i in 0..<count { #expect(abs(Double(y[i]) - exps[i] / sum) <= 1e-6) }
        #expect(abs(y.reduce(0, +) - 1) < 1e-5)
    }

    @Test(arguments: [1, 3, 4, 7, 9])
    func groupedWeightedSumsEqualSingleOnes(groups: Int) {
        var generator = SystemRandomNumberGenerator()
        for dim in [16, 64, 72] {
            let count = 37, stride = dim * 2 + 3, weightStride = count + 2, outputStride = dim + 1
            let weights = (0..<(groups * weightStride)).map { _ in Float.random(in: 0...1, using: &generator) }
            let values = (0..<(count * stride)).map { _ in Float.random(in: -2...2, using: &generator) }
            var grouped = [Float](repeating: .nan, count: groups * outputStride)
            var single = [Float](repeating: .nan, count: groups * outputStride)
            weights.withUnsafeBufferPointer { w in
                values.withUnsafeBufferPointer { v in
                    grouped.withUnsafeMutableBufferPointer { o in
                        Ops.weightedSums(weights: w.baseAddress!, weightStride: weightStride, groups: groups, count: count,
                                         values: v.baseAddress!, stride: stride, dim: dim, outputs: o.baseAddress!, outputStride: outputStride)
                    }
                    single.withUnsafeMutableBufferPointer { o in
                        for g in 0..<groups {
                            Ops.weightedSum(weights: w.baseAddress! + g * weightStride, count: count, values: v.baseAddress!,
                                            stride: stride, dim: dim, output: o.baseAddress! + g * outputStride)
                        }
                    }
                }
            }
            for g in 0..<groups {
                for d in 0..<dim {
                    let a = grouped[g * outputStride + d], b = single[g * outputStride + d]
                    #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "groups \(groups) dim \(dim) g \(g) d \(d)")
                }
            }
        }
    }
}
