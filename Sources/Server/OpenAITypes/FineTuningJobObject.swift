import Foundation

/// A `fine_tuning.job` exactly as OpenAI shapes it (every key present, `null` included), plus GroupQwen's `lora`
/// and `training` settings.
struct FineTuningJobObject: Encodable, Sendable {
    let job: JobRecord

    /// OpenAI's organisation field; a local server has none.
    static let organization = "org-groupqwen"

    enum CodingKeys: String, CodingKey {
        case id, object, model, status, error, hyperparameters, seed, suffix, method, metadata, integrations, lora, training
        case createdAt = "created_at", finishedAt = "finished_at", fineTunedModel = "fine_tuned_model"
        case organizationID = "organization_id", resultFiles = "result_files", trainedTokens = "trained_tokens"
        case trainingFile = "training_file", validationFile = "validation_file", estimatedFinish = "estimated_finish"
        case userProvidedSuffix = "user_provided_suffix"
    }

    struct Hyperparameters: Encodable, Sendable {
        let value: JobHyperparameters
        enum CodingKeys: String, CodingKey {
            case nEpochs = "n_epochs", batchSize = "batch_size", learningRateMultiplier = "learning_rate_multiplier"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(value.nEpochs, forKey: .nEpochs)
            try c.encode(value.batchSize, forKey: .batchSize)
            try c.encode(value.learningRateMultiplier, forKey: .learningRateMultiplier)
        }
    }

    struct Method: Encodable, Sendable {
        struct Supervised: Encodable, Sendable { let hyperparameters: Hyperparameters }
        let type = "supervised"
        let supervised: Supervised
        enum CodingKeys: String, CodingKey { case type, supervised }
    }

    struct LoRA: Encodable, Sendable {
        let value: JobLoRASettings
        enum CodingKeys: String, CodingKey { case rank, alpha, targets, dropout }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(value.rank, forKey: .rank)
            try c.encode(value.alpha, forKey: .alpha)
            try c.encode(value.targets, forKey: .targets)
            try c.encode(value.dropout, forKey: .dropout)
        }
    }

    struct Training: Encodable, Sendable {
        let value: JobTrainingSettings
        let step: Int
        let totalSteps: Int?
        enum CodingKeys: String, CodingKey {
            case maxSteps = "max_steps", maxSeqLen = "max_seq_len", evalEvery = "eval_every", saveEvery = "save_every"
            case step, totalSteps = "total_steps"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(value.maxSteps, forKey: .maxSteps)
            try c.encode(value.maxSeqLen, forKey: .maxSeqLen)
            try c.encode(value.evalEvery, forKey: .evalEvery)
            try c.encode(value.saveEvery, forKey: .saveEvery)
            try c.encode(step, forKey: .step)
            try c.encode(totalSteps, forKey: .totalSteps)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let hyperparameters = Hyperparameters(value: job.hyperparameters)
        try c.encode(job.id, forKey: .id)
        try c.encode("fine_tuning.job", forKey: .object)
        try c.encode(job.createdAt, forKey: .createdAt)
        try c.encode(job.error, forKey: .error)
        try c.encode(job.fineTunedModel, forKey: .fineTunedModel)
        try c.encode(job.finishedAt, forKey: .finishedAt)
        try c.encode(hyperparameters, forKey: .hyperparameters)
        try c.encode(job.model, forKey: .model)
        try c.encode(Self.organization, forKey: .organizationID)
        try c.encode(job.resultFiles, forKey: .resultFiles)
        try c.encode(job.seed, forKey: .seed)
        try c.encode(job.status.rawValue, forKey: .status)
        try c.encode(job.status == .succeeded ? job.trainedTokens : nil, forKey: .trainedTokens)
        try c.encode(job.trainingFile, forKey: .trainingFile)
        try c.encode(job.validationFile, forKey: .validationFile)
        try c.encode(job.status == .running ? job.estimatedFinish : nil, forKey: .estimatedFinish)
        try c.encode([String](), forKey: .integrations)
        try c.encode(job.metadata, forKey: .metadata)
        try c.encode(job.suffix, forKey: .userProvidedSuffix)
        try c.encode(Method(supervised: .init(hyperparameters: hyperparameters)), forKey: .method)
        try c.encode(LoRA(value: job.lora), forKey: .lora)
        try c.encode(Training(value: job.training, step: job.step, totalSteps: job.totalSteps), forKey: .training)
    }
}

/// A `fine_tuning.job.event`.
struct FineTuningEventObject: Encodable, Sendable {
    let event: EventRecord

    enum CodingKeys: String, CodingKey { case id, object, level, message, type, data, createdAt = "created_at" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(event.id, forKey: .id)
        try c.encode("fine_tuning.job.event", forKey: .object)
        try c.encode(event.createdAt, forKey: .createdAt)
        try c.encode(event.level, forKey: .level)
        try c.encode(event.message, forKey: .message)
        try c.encode(event.type, forKey: .type)
        let data = event.data.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) } ?? .object([:])
        try c.encode(data, forKey: .data)
    }
}

/// A `fine_tuning.job.checkpoint`.
struct FineTuningCheckpointObject: Encodable, Sendable {
    let checkpoint: CheckpointRecord

    enum CodingKeys: String, CodingKey {
        case id, object, metrics
        case createdAt = "created_at", stepNumber = "step_number", jobID = "fine_tuning_job_id"
        case fineTunedModelCheckpoint = "fine_tuned_model_checkpoint"
    }

    struct Metrics: Encodable, Sendable {
        let step: Int
        let trainLoss: Double?
        let validLoss: Double?
        enum CodingKeys: String, CodingKey { case step, trainLoss = "train_loss", validLoss = "valid_loss" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(step, forKey: .step)
            try c.encode(trainLoss, forKey: .trainLoss)
            try c.encode(validLoss, forKey: .validLoss)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(checkpoint.id, forKey: .id)
        try c.encode("fine_tuning.job.checkpoint", forKey: .object)
        try c.encode(checkpoint.createdAt, forKey: .createdAt)
        try c.encode(checkpoint.fineTunedModelCheckpoint, forKey: .fineTunedModelCheckpoint)
        try c.encode(checkpoint.jobID, forKey: .jobID)
        try c.encode(Metrics(step: checkpoint.stepNumber, trainLoss: checkpoint.trainLoss, validLoss: checkpoint.validLoss),
                     forKey: .metrics)
        try c.encode(checkpoint.stepNumber, forKey: .stepNumber)
    }
}
