import GRDB

/// One entry of a job's event log (`job_events` table); `seq` orders them.
struct EventRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "job_events"

    var seq: Int64?
    /// `ftevent-…`.
    var id: String
    var jobID: String
    var createdAt: Int
    /// `info`, `warn` or `error`.
    var level: String
    var message: String
    /// `message` or `metrics`.
    var type: String
    /// The metrics of a `metrics` event (JSON object text), else nil.
    var data: String?
    /// The step a metrics event reports (so a resumed run can drop those it repeats).
    var step: Int?

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}
