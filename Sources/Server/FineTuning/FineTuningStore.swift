import Foundation
import GRDB

/// The SQLite database of the Files and Fine-tuning APIs (WAL mode; in memory when `path` is nil): uploaded
/// files' metadata, jobs, their events and checkpoints. Rows are GRDB Codable records; nested settings are
/// stored as JSON text. Lists are ordered by insertion (`rowid`), newest first, paged with an id cursor.
final class FineTuningStore: Sendable {
    private let database: any DatabaseWriter

    init(path: String?) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        if let path {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            database = try DatabasePool(path: path, configuration: configuration)
        } else {
            database = try DatabaseQueue(configuration: configuration)
        }
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS files (
                    id TEXT PRIMARY KEY, filename TEXT NOT NULL, purpose TEXT NOT NULL, bytes INTEGER NOT NULL,
                    createdAt INTEGER NOT NULL, path TEXT NOT NULL, examples INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS jobs (
                    id TEXT PRIMARY KEY, model TEXT NOT NULL, trainingFile TEXT NOT NULL, validationFile TEXT,
                    status TEXT NOT NULL, createdAt INTEGER NOT NULL, startedAt INTEGER, finishedAt INTEGER,
                    servedAs TEXT NOT NULL, fineTunedModel TEXT, trainedTokens INTEGER, estimatedFinish INTEGER,
                    error TEXT, suffix TEXT, seed INTEGER NOT NULL, hyperparameters TEXT NOT NULL, lora TEXT NOT NULL,
                    training TEXT NOT NULL, metadata TEXT, settings TEXT NOT NULL, output TEXT NOT NULL,
                    resultFiles TEXT NOT NULL, step INTEGER NOT NULL, totalSteps INTEGER, tokens INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS job_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, jobID TEXT NOT NULL,
                    createdAt INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL, type TEXT NOT NULL,
                    data TEXT, step INTEGER);
                CREATE INDEX IF NOT EXISTS job_events_job ON job_events (jobID, seq);
                CREATE TABLE IF NOT EXISTS job_checkpoints (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, jobID TEXT NOT NULL,
                    createdAt INTEGER NOT NULL, stepNumber INTEGER NOT NULL, fineTunedModelCheckpoint TEXT NOT NULL,
                    path TEXT NOT NULL, trainLoss REAL, validLoss REAL);
                CREATE INDEX IF NOT EXISTS job_checkpoints_job ON job_checkpoints (jobID, seq);
                """)
            // The owner (the creating API key's SHA-256; NULL without keys), added to databases made before tenancy.
            for table in ["files", "jobs"] where try !db.columns(in: table).contains(where: { $0.name == "owner" }) {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN owner TEXT")
            }
        }
    }

    /// One page of a list: the rows, and whether older ones follow.
    struct Page<Row: Sendable>: Sendable {
        var rows: [Row]
        var hasMore: Bool
    }

    // MARK: - Files

    func insert(_ file: FileRecord) throws {
        try database.write { db in try file.insert(db) }
    }

    func file(_ id: String) throws -> FileRecord? {
        try database.read { db in try FileRecord.fetchOne(db, key: id) }
    }

    /// Files newest first (or oldest first with `ascending`), after the file `after`, optionally of one purpose.
    func files(after: String?, limit: Int, purpose: String?, ascending: Bool, owner: String? = nil) throws -> Page<FileRecord> {
        try database.read { db in
            var conditions: [String] = []
            var values: [String] = []
            if let owner {
                conditions.append("owner = ?")
                values.append(owner)
            }
            if let purpose {
                conditions.append("purpose = ?")
                values.append(purpose)
            }
            if let after {
                conditions.append("rowid \(ascending ? ">" : "<") (SELECT rowid FROM files WHERE id = ?)")
                values.append(after)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try FileRecord.fetchAll(db, sql: "SELECT * FROM files \(filter) ORDER BY rowid \(ascending ? "ASC" : "DESC") LIMIT ?",
                                               arguments: StatementArguments(values) + [limit + 1])
            return Page(rows: Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }

    func deleteFile(_ id: String) throws -> Bool {
        try database.write { db in try FileRecord.deleteOne(db, key: id) }
    }

    /// Jobs not finished yet that read file `id`.
    func activeJobs(usingFile id: String) throws -> [JobRecord] {
        try database.read { db in
            try JobRecord.fetchAll(db, sql: """
                SELECT * FROM jobs WHERE (trainingFile = ? OR validationFile = ?)
                AND status IN ('validating_files', 'queued', 'running') ORDER BY rowid
                """, arguments: [id, id])
        }
    }

    // MARK: - Jobs

    func insert(_ job: JobRecord) throws {
        try database.write { db in try job.insert(db) }
    }

    func job(_ id: String) throws -> JobRecord? {
        try database.read { db in try JobRecord.fetchOne(db, key: id) }
    }

    /// Jobs newest first, after job `after`, optionally only those of `owner`.
    func jobs(after: String?, limit: Int, owner: String? = nil) throws -> Page<JobRecord> {
        try database.read { db in
            var conditions: [String] = []
            var values: [DatabaseValueConvertible] = []
            if let owner {
                conditions.append("owner = ?")
                values.append(owner)
            }
            if let after {
                conditions.append("rowid < (SELECT rowid FROM jobs WHERE id = ?)")
                values.append(after)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try JobRecord.fetchAll(db, sql: "SELECT * FROM jobs \(filter) ORDER BY rowid DESC LIMIT ?",
                                              arguments: StatementArguments(values + [limit + 1]))
            return Page(rows: Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }

    /// Jobs in one of `statuses`, oldest first.
    func jobs(withStatus statuses: [JobStatus]) throws -> [JobRecord] {
        try database.read { db in
            let marks = statuses.map { _ in "?" }.joined(separator: ", ")
            return try JobRecord.fetchAll(db, sql: "SELECT * FROM jobs WHERE status IN (\(marks)) ORDER BY rowid",
                                          arguments: StatementArguments(statuses.map(\.rawValue)))
        }
    }

    /// The job whose turn it is: one left `running` by a stopped server (resumed first), else the oldest job not
    /// finished yet — `queued`, or still `validating_files` (then nothing runs until it is queued or failed, so jobs
    /// run in creation order).
    func nextInLine() throws -> JobRecord? {
        try database.read { db in
            try JobRecord.fetchOne(db, sql: """
                SELECT * FROM jobs WHERE status IN ('running', 'queued', 'validating_files')
                ORDER BY CASE status WHEN 'running' THEN 0 ELSE 1 END, rowid LIMIT 1
                """)
        }
    }

    /// Changes job `id` in one transaction: `change` returns false to leave it as it is. Returns the job as stored
    /// afterwards, or nil when there is no such job.
    @discardableResult
    func update(_ id: String, _ change: @Sendable (inout JobRecord) -> Bool) throws -> JobRecord? {
        try database.write { db in
            guard var job = try JobRecord.fetchOne(db, key: id) else { return nil }
            if change(&job) { try job.update(db) }
            return job
        }
    }

    // MARK: - Events

    func addEvent(job: String, level: String = "info", message: String, type: String = "message", data: String? = nil,
                  step: Int? = nil, now: Int) throws {
        var event = EventRecord(seq: nil, id: ObjectID.make("ftevent"), jobID: job, createdAt: now, level: level,
                                message: message, type: type, data: data, step: step)
        try database.write { db in try event.insert(db) }
    }

    /// Events of `job` newest first, older than event `after`.
    func events(job: String, after: String?, limit: Int) throws -> Page<EventRecord> {
        try database.read { db in
            let rows: [EventRecord]
            if let after {
                rows = try EventRecord.fetchAll(db, sql: """
                    SELECT * FROM job_events WHERE jobID = ? AND seq < (SELECT seq FROM job_events WHERE id = ?)
                    ORDER BY seq DESC LIMIT ?
                    """, arguments: [job, after, limit + 1])
            } else {
                rows = try EventRecord.fetchAll(db, sql: "SELECT * FROM job_events WHERE jobID = ? ORDER BY seq DESC LIMIT ?",
                                                arguments: [job, limit + 1])
            }
            return Page(rows: Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }

    /// Forgets what a resumed run repeats: metrics events and checkpoints after `step`.
    func forgetProgress(job: String, after step: Int) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM job_events WHERE jobID = ? AND type = 'metrics' AND step > ?", arguments: [job, step])
            try db.execute(sql: "DELETE FROM job_checkpoints WHERE jobID = ? AND stepNumber > ?", arguments: [job, step])
        }
    }

    // MARK: - Checkpoints

    /// Records a checkpoint and forgets the job's older ones whose folders the trainer has removed (it keeps only
    /// the newest few), so the list names only checkpoints that exist.
    func addCheckpoint(_ checkpoint: CheckpointRecord) throws {
        var checkpoint = checkpoint
        try database.write { db in
            try checkpoint.insert(db)
            let gone = try CheckpointRecord.fetchAll(db, sql: "SELECT * FROM job_checkpoints WHERE jobID = ?", arguments: [checkpoint.jobID])
                .filter { !FileManager.default.fileExists(atPath: $0.path) }
            for old in gone { try db.execute(sql: "DELETE FROM job_checkpoints WHERE seq = ?", arguments: [old.seq]) }
        }
    }

    /// Checkpoints of `job` newest first, older than checkpoint `after`.
    func checkpoints(job: String, after: String?, limit: Int) throws -> Page<CheckpointRecord> {
        try database.read { db in
            let rows: [CheckpointRecord]
            if let after {
                rows = try CheckpointRecord.fetchAll(db, sql: """
                    SELECT * FROM job_checkpoints WHERE jobID = ? AND seq < (SELECT seq FROM job_checkpoints WHERE id = ?)
                    ORDER BY seq DESC LIMIT ?
                    """, arguments: [job, after, limit + 1])
            } else {
                rows = try CheckpointRecord.fetchAll(db, sql: "SELECT * FROM job_checkpoints WHERE jobID = ? ORDER BY seq DESC LIMIT ?",
                                                     arguments: [job, limit + 1])
            }
            return Page(rows: Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }
}
