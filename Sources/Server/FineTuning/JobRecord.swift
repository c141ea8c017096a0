import GRDB
import Training

/// A fine-tuning job (`jobs` table).
struct JobRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "jobs"

    /// `ftjob-…`.
    var id: String
    /// The configured base model id.
    var model: String
    var trainingFile: String
    var validationFile: String?
    var status: JobStatus
    var createdAt: Int
    var startedAt: Int?
    var finishedAt: Int?
    /// The model id the adapter is served as once the job succeeded (`ft:BASE:SUFFIX:JOBID`).
    var servedAs: String
    /// Set when the job succeeded and its adapter is served; nil again when the model is deleted.
    var fineTunedModel: String?
    var trainedTokens: Int?
    var estimatedFinish: Int?
    var error: JobError?
    var suffix: String?
    var seed: Int
    var hyperparameters: JobHyperparameters
    var lora: JobLoRASettings
    var training: JobTrainingSettings
    var metadata: [String: String]?
    /// Everything the trainer is started with (the data paths and the output folder included).
    var settings: TrainingConfiguration
    /// The job's output folder (`fine-tuning/JOBID`).
    var output: String
    var resultFiles: [String]
    /// The last step trained, and the run's total (nil before the trainer prepared the data).
    var step: Int
    var totalSteps: Int?
    /// Tokens trained so far.
    var tokens: Int
    /// SHA-256 of the API key that created it; nil on a server without keys.
    var owner: String? = nil
}

/// The states of a job, as OpenAI names them.
enum JobStatus: String, Codable, Sendable, DatabaseValueConvertible {
    case validatingFiles = "validating_files"
    case queued, running, succeeded, failed, cancelled

    var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// OpenAI's `error` object of a failed job.
struct JobError: Codable, Sendable, Equatable {
    var code: String
    var message: String
    var param: String?

    enum CodingKeys: String, CodingKey { case code, message, param }

    /// Every key, `param: null` included, as OpenAI writes it.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(param, forKey: .param)
    }
}

/// The resolved OpenAI hyperparameters of a job.
struct JobHyperparameters: Codable, Sendable, Equatable {
    var nEpochs: Int
    var batchSize: Int
    var learningRateMultiplier: Double
}

/// GroupQwen's `lora` extension of a job: the adapter's shape.
struct JobLoRASettings: Codable, Sendable, Equatable {
    var rank: Int
    var alpha: Double
    /// Short names (`q`, `k`, …).
    var targets: [String]
    var dropout: Double
}

/// GroupQwen's `training` extension of a job: limits and cadence of the run.
struct JobTrainingSettings: Codable, Sendable, Equatable {
    var maxSteps: Int?
    var maxSeqLen: Int
    var evalEvery: Int?
    var saveEvery: Int?
}
