import GRDB

/// A checkpoint the trainer wrote (`job_checkpoints` table).
struct CheckpointRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "job_checkpoints"

    var seq: Int64?
    /// `ftckpt-…`.
    var id: String
    var jobID: String
    var createdAt: Int
    var stepNumber: Int
    /// `ft:BASE:SUFFIX:JOBID:ckpt-step-N`.
    var fineTunedModelCheckpoint: String
    /// The checkpoint folder (the trainer keeps only the newest few).
    var path: String
    var trainLoss: Double?
    var validLoss: Double?

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}
