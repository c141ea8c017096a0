extension TrainingConfiguration {
    /// Checks every setting's range, and that `model`, `data` and `output` are set. Errors name the key as a
    /// command-line flag (`learning-rate`), in one line.
    public func validate() throws(TrainingConfigurationError) {
        if let (key, message) = problem(requireLocations: true) { throw .invalid(key: key.rawValue, message: message, line: nil) }
    }

    /// The first problem: the setting at fault and why. Without `requireLocations`, missing model, data and
    /// output are not problems (a YAML file may leave them to command-line flags).
    func problem(requireLocations: Bool) -> (Key, String)? {
        func positive(_ n: Int, _ key: Key) -> (Key, String)? { n >= 1 ? nil : (key, "must be at least 1, not \(n)") }
        if requireLocations {
            if model.isEmpty { return (.model, "is required (a model id such as qwen2.5-coder-0.5b, or a .gguf path)") }
            if data.isEmpty { return (.data, "is required (a folder written by `groupqwen data split`, or a .jsonl file)") }
            if output.isEmpty { return (.output, "is required (the folder for checkpoints, metrics and the adapter)") }
        }
        if let p = positive(rank, .rank) { return p }
        if !(alpha > 0) { return (.alpha, "must be positive, not \(alpha)") }
        if !(dropout >= 0 && dropout < 1) { return (.dropout, "must be at least 0 and below 1, not \(dropout)") }
        if targets.isEmpty { return (.targets, "must name at least one projection (q k v o gate up down)") }
        if let p = positive(epochs, .epochs) { return p }
        if !(learningRate > 0) { return (.learningRate, "must be positive, not \(learningRate)") }
        if let p = positive(batchSize, .batchSize) { return p }
        if let p = positive(gradAccum, .gradAccum) { return p }
        if maxSeqLen < 2 { return (.maxSeqLen, "must be at least 2, not \(maxSeqLen)") }
        switch warmup {
        case let .steps(n) where n < 0: return (.warmup, "must not be negative, not \(n)")
        case let .ratio(r) where !(r >= 0 && r <= 1): return (.warmup, "as a ratio must be between 0 and 1, not \(r) (write whole steps without a decimal point)")
        default: break
        }
        if !(minLearningRate >= 0 && minLearningRate <= learningRate) {
            return (.minLearningRate, "must be between 0 and learning-rate (\(learningRate)), not \(minLearningRate)")
        }
        if !(weightDecay >= 0) { return (.weightDecay, "must not be negative, not \(weightDecay)") }
        if !(maxGradNorm >= 0) { return (.maxGradNorm, "must not be negative (0 turns clipping off), not \(maxGradNorm)") }
        if let n = evalEvery, let p = positive(n, .evalEvery) { return p }
        if let n = saveEvery, let p = positive(n, .saveEvery) { return p }
        if let p = positive(keepCheckpoints, .keepCheckpoints) { return p }
        if let n = threads, let p = positive(n, .threads) { return p }
        if let n = maxSteps, let p = positive(n, .maxSteps) { return p }
        return nil
    }
}
