import GRDB

/// An uploaded file (`files` table): the metadata `/v1/files` shows and where its bytes are.
struct FileRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "files"

    /// `file-…`.
    var id: String
    /// The name the client gave.
    var filename: String
    /// `fine-tune` (uploads) or `fine-tune-results` (a job's metrics CSV).
    var purpose: String
    var bytes: Int
    var createdAt: Int
    /// The stored file (absolute).
    var path: String
    /// Examples (non-blank lines) of a `fine-tune` file; 0 for results.
    var examples: Int
    /// SHA-256 of the API key that uploaded it (its job's, for results); nil on a server without keys.
    var owner: String?
}
