import Engine
import Foundation
import Testing

@Suite("Sampler")
struct SamplerTests {
    /// Full-vocabulary sampling (no top-k, top-p or min-p) must follow softmax(logits / T), including a heavy
    /// tail of many small tokens, even though the sampler only sorts the tokens near the best one.
    @Test func fullVocabularyFollowsSoftmax() {
        let vocabulary = 5_000
        var logits = [Float](repeating: -3, count: vocabulary)   // the tail: ~7/8 of the probability mass
        let head: [(Int, Float)] = [(17, 3), (3_001, 2.5), (4_242, 1), (4_999, 0)]
        for (id, l) in head { logits[id] = l }
        var parameters = SamplingParameters()
        parameters.temperature = 1
        parameters.topK = 0
        parameters.topP = 1
        parameters.minP = 0
        parameters.seed = 42
        var sampler = Sampler(parameters: parameters)

        // Exact probabilities.
        let z = head.reduce(0) { $0 + exp(Double($1.1)) } + Double(vocabulary - head.count) * exp(-3.0)
        let draws = 10_000
        var counts: [Int: Int] = [:]
        for _ in 0..<draws {
            var copy = logits
            let id = copy.withUnsafeMutableBufferPointer { sampler.sample($0, history: []) }
            counts[Int(id), default: 0] += 1
        }
        for (id, l) in head {
            let p = exp(Double(l)) / z
            let observed = Double(counts[id, default: 0]) / Double(draws)
            let sigma = (p * (1 - p) / Double(draws)).squareRoot()
            #expect(abs(observed - p) < 5 * sigma, "token \(id): observed \(observed), expected \(p)")
        }
        let tail = Double(vocabulary - head.count) * exp(-3.0) / z
        let observedTail = Double(draws - head.reduce(0) { $0 + counts[$1.0, default: 0] }) / Double(draws)
        #expect(abs(observedTail - tail) < 5 * (tail * (1 - tail) / Double(draws)).squareRoot())
    }

    /// Tokens more than 25 temperature-scaled nats below the best are never drawn; NaN logits do not crash.
    @Test func negligibleTokensAndNaN() {
        var logits = [Float](repeating: -40, count: 1_000)
        logits[3] = 0
        logits[7] = -1
        var parameters = SamplingParameters()
        parameters.temperature = 1
        parameters.topK = 0
        parameters.topP = 1
        parameters.minP = 0
        parameters.seed = 1
        var sampler = Sampler(parameters: parameters)
        for _ in 0..<2_000 {
            var copy = logits
            let id = copy.withUnsafeMutableBufferPointer { sampler.sample($0, history: []) }
            #expect(id == 3 || id == 7)
        }
        var nan = [Float](repeating: .nan, count: 10)
        let id = nan.withUnsafeMutableBufferPointer { sampler.sample($0, history: []) }
        #expect((0..<10).contains(Int(id)))
    }
}
