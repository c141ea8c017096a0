import Engine
extension TrainingConfiguration {
    /// A setting's name as a command-line flag (without `--`). YAML keys and flags accept each name with dashes
    /// or underscores (`learning-rate`, `learning_rate`), plus the aliases `lr` and `min-lr`.
    public enum Key: String, CaseIterable, Sendable {
        case model, data, valid, output, rank, alpha, dropout, rslora, targets, epochs
        case learningRate = "learning-rate"
        case batchSize = "batch-size"
        case gradAccum = "grad-accum"
        case maxSeqLen = "max-seq-len"
        case warmup
        case warmupSteps = "warmup-steps"
        case warmupRatio = "warmup-ratio"
        case schedule
        case minLearningRate = "min-learning-rate"
        case weightDecay = "weight-decay"
        case maxGradNorm = "max-grad-norm"
        case seed
        case evalEvery = "eval-every"
        case saveEvery = "save-every"
        case keepCheckpoints = "keep-checkpoints"
        case pack, threads
        case maxSteps = "max-steps"

        /// The key for a spelling: dashes or underscores, any case, or an alias.
        public init?(name: String) {
            let normalized = name.lowercased().replacingOccurrences(of: "_", with: "-")
            switch normalized {
            case "lr": self = .learningRate
            case "min-lr": self = .minLearningRate
            default:
                guard let key = Key(rawValue: normalized) else { return nil }
                self = key
            }
        }

        /// The setting the key changes (`warmup-steps` and `warmup-ratio` change `warmup`).
        public var setting: Key {
            switch self {
            case .warmupSteps, .warmupRatio: return .warmup
            default: return self
            }
        }

        /// Whether the setting may be unset (`null` in YAML).
        var isOptional: Bool { [.valid, .evalEvery, .saveEvery, .threads, .maxSteps].contains(self) }

        /// The known key closest to an unknown `name`, spelled in the same style, when it is close enough.
        static func suggestion(for name: String) -> String? {
            let normalized = Array(name.lowercased().replacingOccurrences(of: "_", with: "-"))
            var best: (key: Key, distance: Int)?
            for key in allCases {
                let d = editDistance(normalized, Array(key.rawValue))
                if d < (best?.distance ?? .max) { best = (key, d) }
            }
            guard let best, best.distance <= max(1, normalized.count / 4) else { return nil }
            return name.contains("_") ? best.key.rawValue.replacingOccurrences(of: "-", with: "_") : best.key.rawValue
        }

        private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var current = [i + 1] + [Int](repeating: 0, count: b.count)
                for (j, cb) in b.enumerated() {
                    current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
                }
                previous = current
            }
            return previous[b.count]
        }
    }

    /// Sets one setting from its text, as a command-line flag or YAML scalar gives it (`nil`: YAML `null`, which
    /// unsets an optional setting). `name` is any accepted spelling; errors name it as written. Values are only
    /// type-checked here; ranges are checked by ``validate()``.
    public mutating func set(_ name: String, to value: String?) throws(TrainingConfigurationError) {
        guard let key = Key(name: name) else { throw .unknownKey(key: name, line: nil, suggestion: Key.suggestion(for: name)) }
        func invalid(_ message: String) -> TrainingConfigurationError { .invalid(key: name, message: message, line: nil) }
        guard let value else {
            switch key {
            case .valid: valid = nil
            case .evalEvery: evalEvery = nil
            case .saveEvery: saveEvery = nil
            case .threads: threads = nil
            case .maxSteps: maxSteps = nil
            default: throw invalid("must have a value")
            }
            return
        }
        let text = value.trimmingCharacters(in: .whitespaces)
        func integer() throws(TrainingConfigurationError) -> Int {
            guard let n = Int(text) else { throw invalid("must be an integer, not '\(value)'") }
            return n
        }
        func number() throws(TrainingConfigurationError) -> Double {
            guard let x = Double(text), x.isFinite, !text.lowercased().hasPrefix("0x") else { throw invalid("must be a number, not '\(value)'") }
            return x
        }
        func boolean() throws(TrainingConfigurationError) -> Bool {
            switch text.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw invalid("must be true or false, not '\(value)'")
            }
        }
        func path() throws(TrainingConfigurationError) -> String {
            guard !text.isEmpty else { throw invalid("must not be empty") }
            return text
        }
        switch key {
        case .model: model = try path()
        case .data: data = try path()
        case .valid: valid = try path()
        case .output: output = try path()
        case .rank: rank = try integer()
        case .alpha: alpha = try number()
        case .dropout: dropout = try number()
        case .rslora: rslora = try boolean()
        case .targets:
            switch LoRATarget.parseList(text) {
            case let .success(list): targets = list
            case let .failure(unknown):
                throw invalid("has unknown target '\(unknown.name)' (use q k v o gate up down, their PEFT names q_proj … down_proj, or all)")
            }
        case .epochs: epochs = try integer()
        case .learningRate: learningRate = try number()
        case .batchSize: batchSize = try integer()
        case .gradAccum: gradAccum = try integer()
        case .maxSeqLen: maxSeqLen = try integer()
        case .warmup:
            if let steps = Int(text) {
                warmup = .steps(steps)
            } else {
                guard let ratio = Double(text), ratio.isFinite else {
                    throw invalid("must be a number of steps (100) or a ratio of all steps (0.03), not '\(value)'")
                }
                warmup = .ratio(ratio)
            }
        case .warmupSteps: warmup = .steps(try integer())
        case .warmupRatio: warmup = .ratio(try number())
        case .schedule:
            guard let kind = DecayKind(rawValue: text.lowercased()) else { throw invalid("must be cosine, linear or constant, not '\(value)'") }
            schedule = kind
        case .minLearningRate: minLearningRate = try number()
        case .weightDecay: weightDecay = try number()
        case .maxGradNorm: maxGradNorm = try number()
        case .seed:
            guard let s = UInt64(text) else { throw invalid("must be a non-negative integer, not '\(value)'") }
            seed = s
        case .evalEvery: evalEvery = try integer()
        case .saveEvery: saveEvery = try integer()
        case .keepCheckpoints: keepCheckpoints = try integer()
        case .pack: pack = try boolean()
        case .threads: threads = try integer()
        case .maxSteps: maxSteps = try integer()
        }
    }
}

import Foundation
