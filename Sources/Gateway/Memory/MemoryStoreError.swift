/// Why a memory operation failed.
public enum MemoryStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text (or query) is empty or only whitespace.
    case emptyText(field: String)
    /// A numeric argument is out of its range (`top_k`, `threshold`).
    case outOfRange(field: String, message: String)
    /// No memory with this id in the caller's scope (deleted, expired, or another key's).
    case notFound(id: String)
    /// The SQLite file could not be opened, read or written.
    case storage(String)

    public var description: String {
        switch self {
        case let .emptyText(field): return "'\(field)' must not be empty"
        case let .outOfRange(field, message): return "'\(field)' \(message)"
        case let .notFound(id): return "no memory with id '\(id)' in this scope"
        case let .storage(detail): return "memory storage failed: \(detail)"
        }
    }
}
