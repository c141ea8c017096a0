import Foundation
import GRDB

/// The memories' SQLite file (WAL mode): one row per memory with its scope hash, text, tags (JSON), level, times
/// and the text's embedding (float32 blob). `MemoryStore` keeps the unexpired rows in memory and writes through.
final class MemoryDatabase: Sendable {
    struct Row: Sendable {
        var entry: MemoryEntry
        var scope: String
        var vector: [Float]
    }

    private let database: any DatabaseWriter

    /// Opens or creates the file at `path`; `nil`: an in-memory database.
    init(path: String?) throws(MemoryStoreError) {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            if let path {
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                database = try DatabasePool(path: path, configuration: configuration)
            } else {
                database = try DatabaseQueue(configuration: configuration)
            }
            try database.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS memories (
                        id TEXT PRIMARY KEY, scope TEXT NOT NULL, text TEXT NOT NULL, tags TEXT NOT NULL,
                        preservation TEXT NOT NULL, vector BLOB NOT NULL, created REAL NOT NULL, expires REAL);
                    CREATE INDEX IF NOT EXISTS memories_scope ON memories (scope);
                    """)
            }
        } catch {
            throw .storage("\(error)")
        }
    }

    /// Every unexpired memory (expired ones are deleted first).
    func loadAll(now: Double) throws(MemoryStoreError) -> [Row] {
        do {
            return try database.write { db in
                try db.execute(sql: "DELETE FROM memories WHERE expires IS NOT NULL AND expires <= ?", arguments: [now])
                return try GRDB.Row.fetchAll(db, sql: "SELECT * FROM memories ORDER BY created").compactMap { r -> Row? in
                    let blob: Data = r["vector"]
                    let tagsJSON: String = r["tags"]
                    let tags = (try? JSONDecoder().decode([String].self, from: Data(tagsJSON.utf8))) ?? []
                    guard let level = MemoryPreservation(rawValue: r["preservation"]) else { return nil }
                    let entry = MemoryEntry(id: r["id"], text: r["text"], tags: tags, preservation: level,
                                            created: r["created"], expires: r["expires"])
                    return Row(entry: entry, scope: r["scope"], vector: blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
                }
            }
        } catch {
            throw .storage("\(error)")
        }
    }

    func insert(_ row: Row) throws(MemoryStoreError) {
        do {
            let tags = String(decoding: try JSONEncoder().encode(row.entry.tags), as: UTF8.self)
            let blob = row.vector.withUnsafeBufferPointer { Data(buffer: $0) }
            try database.write { db in
                try db.execute(sql: """
                    INSERT INTO memories (id, scope, text, tags, preservation, vector, created, expires)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [row.entry.id, row.scope, row.entry.text, tags, row.entry.preservation.rawValue, blob,
                                     row.entry.created, row.entry.expires])
            }
        } catch {
            throw .storage("\(error)")
        }
    }

    func delete(ids: [String]) throws(MemoryStoreError) {
        guard !ids.isEmpty else { return }
        do {
            try database.write { db in
                for id in ids { try db.execute(sql: "DELETE FROM memories WHERE id = ?", arguments: [id]) }
            }
        } catch {
            throw .storage("\(error)")
        }
    }
}
