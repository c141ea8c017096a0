import Foundation
import Kernels
import Testing

/// The vocabulary-wide reductions used per generated token (log-sum-exp, argmax) against scalar versions.
struct ReductionTests {
    @Test(arguments: [1, 7, 8, 9, 31, 32, 33, 1_000, 151_936])
    func logSumExpMatchesDouble(count: Int) {
        var generator = SystemRandomNumberGenerator()
        let x = (0..<count).map { _ in Float.random(in: -30...20, using: &generator) }
        let m = Double(x.max()!)
        let expected = m + log(x.reduce(0.0) { $0 + exp(Double($1) - m) })
        let got = x.withUnsafeBufferPointer { Ops.logSumExp($0.baseAddress!, count: count) }
        #expect(abs(Double(got) - expected) < 1e-4, "count \(count): \(got) vs \(expected)")
    }

    @Test func logSumExpEdgeCases() {
        let empty: [Float] = [0]
        #expect(empty.withUnsafeBufferPointer { Ops.logSumExp($0.baseAddress!, count: 0) } == -.infinity)
        let minusInfinity = [Float](repeating: -.infinity, count: 40)
        #expect(minusInfinity.withUnsafeBufferPointer { Ops.logSumExp($0.baseAddress!, count: 40) } == -.infinity)
        var withInfinity = [Float](repeating: 0, count: 40)
        withInfinity[13] = .infinity
        #expect(withInfinity.withUnsafeBufferPointer { Ops.logSumExp($0.baseAddress!, count: 40) } == .infinity)
        // 1000 equal logits: log(1000) above the value.
        let flat = [Float](repeating: 2, count: 1_000)
        let lse = flat.withUnsafeBufferPointer { Ops.logSumExp($0.baseAddress!, count: 1_000) }
        #expect(abs(lse - (2 + Float(log(1000.0)))) < 1e-4)
    }

    @Test(arguments: [1, 5, 8, 15, 16, 17, 100, 151_936])
    func maxIndexIsFirstLargest(count: Int) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var x = (0..<count).map { _ in Float(Int.random(in: -50...50, using: &generator)) / 4 }
            // Plant NaNs, which must be skipped.
            for _ in 0..<(count / 10) { x[Int.random(in: 0..<count, using: &generator)] = .nan }
            var best = 0, bestValue = -Float.infinity
            for i in 0..<count where x[i] > bestValue { best = i; bestValue = x[i] }
            let got = x.withUnsafeBufferPointer { Ops.maxIndex($0.baseAddress!, count: count) }
            #expect(got == best, "count \(count)")
        }
    }

    @Test func maxIndexEdgeCases() {
        let nan = [Float](repeating: .nan, count: 20)
        #expect(nan.withUnsafeBufferPointer { Ops.maxIndex($0.baseAddress!, count: 20) } == 0)
        var ties = [Float](repeating: 1, count: 50)
        ties[37] = 3; ties[41] = 3; ties[9] = 2
        #expect(ties.withUnsafeBufferPointer { Ops.maxIndex($0.baseAddress!, count: 50) } == 37)
        var tail = [Float](repeating: -5, count: 19)
        tail[18] = -1
        #expect(tail.withUnsafeBufferPointer { Ops.maxIndex($0.baseAddress!, count: 19) } == 18)
    }
}
