import Foundation
import GRDB

/// The cache's SQLite file (WAL mode): one row per entry with its context key, the query's embedding
/// (float32 blob), the answer and its times. The in-memory index is rebuilt from it at startup.
final class SemanticCacheStore: Sendable {
    struct Row: Sendable {
        var id: Int64
        var context: String
        var vector: [Float]
        var answer: CachedAnswer
        var expires: Double
        var lastUsed: Double
    }

    private let database: DatabasePool

    init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS cache_entries (
                    id INTEGER PRIMARY KEY, context TEXT NOT NULL, vector BLOB NOT NULL,
                    text TEXT NOT NULL, model TEXT NOT NULL, tier INTEGER NOT NULL, finish_reason TEXT NOT NULL,
                    prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
                    created REAL NOT NULL, expires REAL NOT NULL, last_used REAL NOT NULL, hits INTEGER NOT NULL DEFAULT 0)
                """)
        }
    }

    /// Every unexpired entry (expired ones are deleted).
    func loadAll(now: Double) throws -> [Row] {
        try database.write { db in
            try db.execute(sql: "DELETE FROM cache_entries WHERE expires <= ?", arguments: [now])
            return try GRDB.Row.fetchAll(db, sql: "SELECT * FROM cache_entries").map { r in
                let blob: Data = r["vector"]
                let vector = blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                return Row(id: r["id"], context: r["context"], vector: vector,
                           answer: CachedAnswer(text: r["text"], model: r["model"], tier: r["tier"], finishReason: r["finish_reason"],
                                                promptTokens: r["prompt_tokens"], completionTokens: r["completion_tokens"]),
                           expires: r["expires"], lastUsed: r["last_used"])
            }
        }
    }

    /// Stores an entry and returns its id.
    func insert(context: String, vector: [Float], answer: CachedAnswer, now: Double, expires: Double) throws -> Int64 {
        try database.write { db in
            let blob = vector.withUnsafeBufferPointer { Data(buffer: $0) }
            try db.execute(sql: """
                INSERT INTO cache_entries (context, vector, text, model, tier, finish_reason, prompt_tokens, completion_tokens,
                                           created, expires, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [context, blob, answer.text, answer.model, answer.tier, answer.finishReason,
                                 answer.promptTokens, answer.completionTokens, now, expires, now])
            return db.lastInsertedRowID
        }
    }

    func touch(id: Int64, now: Double) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE cache_entries SET last_used = ?, hits = hits + 1 WHERE id = ?", arguments: [now, id])
        }
    }

    func delete(ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            for id in ids { try db.execute(sql: "DELETE FROM cache_entries WHERE id = ?", arguments: [id]) }
        }
    }

    func deleteAll() throws {
        try database.write { db in try db.execute(sql: "DELETE FROM cache_entries") }
    }
}
