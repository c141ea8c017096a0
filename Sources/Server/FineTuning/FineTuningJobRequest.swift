import Engine
import Foundation

/// The body of `POST /v1/fine_tuning/jobs`: OpenAI's fields plus GroupQwen's `lora` and `training`.
struct FineTuningJobRequest: Decodable, Sendable {
    struct Hyperparameters: Decodable, Sendable {
        var nEpochs: AutoOr<Int>?
        var batchSize: AutoOr<Int>?
        var learningRateMultiplier: AutoOr<Double>?

        enum CodingKeys: String, CodingKey {
            case nEpochs = "n_epochs", batchSize = "batch_size", learningRateMultiplier = "learning_rate_multiplier"
        }
    }

    struct Method: Decodable, Sendable {
        struct Supervised: Decodable, Sendable { var hyperparameters: Hyperparameters? }
        var type: String
        var supervised: Supervised?
    }

    /// A list of names (`["q", "v"]`) or one string (`"all"`, `"q,v"`).
    struct Targets: Decodable, Sendable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let list = try? c.decode([String].self) { text = list.joined(separator: ",") } else { text = try c.decode(String.self) }
        }
    }

    struct LoRA: Decodable, Sendable {
        var rank: Int?
        var alpha: Double?
        var targets: Targets?
        var dropout: Double?
    }

    struct Training: Decodable, Sendable {
        var maxSteps: Int?
        var maxSeqLen: Int?
        var evalEvery: Int?
        var saveEvery: Int?

        enum CodingKeys: String, CodingKey {
            case maxSteps = "max_steps", maxSeqLen = "max_seq_len", evalEvery = "eval_every", saveEvery = "save_every"
        }
    }

    var model: String
    var trainingFile: String
    var validationFile: String?
    var hyperparameters: Hyperparameters?
    var method: Method?
    var suffix: String?
    var seed: Int?
    var metadata: [String: String]?
    var lora: LoRA?
    var training: Training?

    enum CodingKeys: String, CodingKey {
        case model, hyperparameters, method, suffix, seed, metadata, lora, training
        case trainingFile = "training_file", validationFile = "validation_file"
    }

    /// The defaults `"auto"` stands for.
    static let defaultEpochs = 3, defaultBatchSize = 4, baseLearningRate = 2e-4

    /// The resolved settings, or 400 naming the first parameter out of range.
    func resolve() throws(APIError) -> (JobHyperparameters, JobLoRASettings, JobTrainingSettings) {
        func bad(_ param: String, _ message: String) -> APIError {
            .invalidParameter("'\(param)' \(message)", param: param, code: "invalid_hyperparameters")
        }
        if let method {
            guard method.type == "supervised" else {
                throw bad("method.type", "must be \"supervised\" (the native trainer does supervised LoRA fine-tuning), not \"\(method.type)\"")
            }
        }
        let nested = method?.supervised?.hyperparameters
        let prefix = nested != nil ? "method.supervised.hyperparameters" : "hyperparameters"
        let h = nested ?? hyperparameters
        let epochs = h?.nEpochs?.given ?? Self.defaultEpochs
        guard (1...50).contains(epochs) else { throw bad("\(prefix).n_epochs", "must be \"auto\" or an integer in 1…50 (got \(epochs))") }
        let batch = h?.batchSize?.given ?? Self.defaultBatchSize
        guard (1...256).contains(batch) else { throw bad("\(prefix).batch_size", "must be \"auto\" or an integer in 1…256 (got \(batch))") }
        let multiplier = h?.learningRateMultiplier?.given ?? 1
        guard multiplier.isFinite, multiplier > 0, multiplier <= 100 else {
            throw bad("\(prefix).learning_rate_multiplier", "must be \"auto\" or a number above 0 and at most 100 (got \(multiplier))")
        }

        let rank = lora?.rank ?? 16
        guard (1...256).contains(rank) else { throw bad("lora.rank", "must be an integer in 1…256 (got \(rank))") }
        let alpha = lora?.alpha ?? Double(2 * rank)
        guard alpha.isFinite, alpha > 0, alpha <= 4096 else { throw bad("lora.alpha", "must be a number above 0 and at most 4096 (got \(alpha))") }
        let dropout = lora?.dropout ?? 0
        guard dropout >= 0, dropout < 1 else { throw bad("lora.dropout", "must be at least 0 and below 1 (got \(dropout))") }
        var targets = LoRATarget.allCases
        if let text = lora?.targets?.text {
            switch LoRATarget.parseList(text) {
            case let .success(list) where !list.isEmpty: targets = list
            case .success: throw bad("lora.targets", "must name at least one projection (q, k, v, o, gate, up, down or all)")
            case let .failure(unknown):
                throw bad("lora.targets", "names an unknown projection '\(unknown.name)' (known: q, k, v, o, gate, up, down, all)")
            }
        }

        let maxSeqLen = training?.maxSeqLen ?? 512
        guard (16...32768).contains(maxSeqLen) else { throw bad("training.max_seq_len", "must be an integer in 16…32768 (got \(maxSeqLen))") }
        for (value, name) in [(training?.maxSteps, "max_steps"), (training?.evalEvery, "eval_every"), (training?.saveEvery, "save_every")] {
            if let value, value < 1 { throw bad("training.\(name)", "must be an integer ≥ 1 (got \(value))") }
        }
        return (JobHyperparameters(nEpochs: epochs, batchSize: batch, learningRateMultiplier: multiplier),
                JobLoRASettings(rank: rank, alpha: alpha, targets: targets.map(\.shortName), dropout: dropout),
                JobTrainingSettings(maxSteps: training?.maxSteps, maxSeqLen: maxSeqLen, evalEvery: training?.evalEvery,
                                    saveEvery: training?.saveEvery))
    }

    /// Why `suffix` cannot be used, or nil: 1–64 letters, digits, `.`, `_` or `-` (it becomes one segment of the
    /// model id `ft:BASE:SUFFIX:JOBID`).
    static func problem(withSuffix suffix: String) -> String? {
        guard !suffix.isEmpty, suffix.count <= 64,
              suffix.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) })
        else { return "must be 1 to 64 letters, digits, '.', '_' or '-' (got '\(suffix)')" }
        return nil
    }
}
