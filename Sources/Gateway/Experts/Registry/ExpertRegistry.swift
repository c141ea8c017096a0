import Foundation
import GRDB

/// The experts' SQLite store (WAL mode; the server keeps it in its fine-tuning database, next to the jobs):
/// every version of every expert, and every deployment — an `ExpertRelease` that was live. The newest deployment
/// is what the server serves. Nothing is deleted: a rollback is a new deployment with an earlier expert version.
///
/// Versions: deploying an expert whose adapter fingerprint equals its newest stored version's keeps that version
/// (with the new metrics); a different adapter gets the next number.
public final class ExpertRegistry: Sendable {
    private let database: any DatabaseWriter

    /// Opens (or creates) the registry at `path`; nil keeps it in memory.
    public init(path: String?) throws(ExpertRegistryError) {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            if let path, path != ":memory:" {
                let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                database = try DatabasePool(path: url.path, configuration: configuration)
            } else {
                database = try DatabaseQueue(configuration: configuration)
            }
            try database.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS expert_versions (
                        id TEXT NOT NULL, version INTEGER NOT NULL, created INTEGER NOT NULL, record TEXT NOT NULL,
                        PRIMARY KEY (id, version));
                    CREATE TABLE IF NOT EXISTS expert_deployments (
                        deployment INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, origin TEXT NOT NULL,
                        release TEXT NOT NULL);
                    """)
            }
        } catch {
            throw .storage("\(path ?? ":memory:"): \(error)")
        }
    }

    /// The live release, or nil when nothing was deployed.
    public func current() throws(ExpertRegistryError) -> ExpertRelease? {
        try access { db in
            guard let text = try String.fetchOne(db, sql: "SELECT release FROM expert_deployments ORDER BY deployment DESC LIMIT 1") else {
                return nil
            }
            return try Self.decode(ExpertRelease.self, text)
        }
    }

    /// Every stored version of expert `id`, oldest first.
    public func versions(of id: String) throws(ExpertRegistryError) -> [ExpertRecord] {
        try access { db in
            try String.fetchAll(db, sql: "SELECT record FROM expert_versions WHERE id = ? ORDER BY version", arguments: [id])
                .map { try Self.decode(ExpertRecord.self, $0) }
        }
    }

    /// Makes `release` live: numbers its experts' versions, stores them and the deployment, and returns the release
    /// as deployed (versions, `deployment`, `deployed` set).
    @discardableResult
    public func deploy(_ release: ExpertRelease, origin: String? = nil, now: Int = Int(Date().timeIntervalSince1970)) throws(ExpertRegistryError) -> ExpertRelease {
        if let problem = release.problem { throw .invalidRelease(problem) }
        return try access { db in
            var deployed = release
            for (i, expert) in release.experts.enumerated() {
                var record = expert
                let newest = try String.fetchOne(db, sql: "SELECT record FROM expert_versions WHERE id = ? ORDER BY version DESC LIMIT 1",
                                                 arguments: [expert.id]).map { try Self.decode(ExpertRecord.self, $0) }
                if let newest, newest.adapterFingerprint == expert.adapterFingerprint, newest.baseModel == expert.baseModel {
                    record.version = newest.version
                    record.created = newest.created
                } else {
                    record.version = (newest?.version ?? 0) + 1
                    record.created = now
                }
                try db.execute(sql: "INSERT OR REPLACE INTO expert_versions (id, version, created, record) VALUES (?, ?, ?, ?)",
                               arguments: [record.id, record.version, record.created, try Self.encode(record)])
                deployed.experts[i] = record
            }
            return try Self.insertDeployment(deployed, origin: origin ?? release.origin, now: now, db: db)
        }
    }

    /// Puts expert `id` back to its previous stored version (the newest one below the live version), keeping the router
    /// and the other experts; returns the new live release.
    @discardableResult
    public func rollback(_ id: String, now: Int = Int(Date().timeIntervalSince1970)) throws(ExpertRegistryError) -> ExpertRelease {
        try access { db in
            guard let text = try String.fetchOne(db, sql: "SELECT release FROM expert_deployments ORDER BY deployment DESC LIMIT 1") else {
                throw ExpertRegistryError.nothingDeployed
            }
            var release = try Self.decode(ExpertRelease.self, text)
            guard let index = release.experts.firstIndex(where: { $0.id == id }) else {
                throw ExpertRegistryError.unknownExpert(id, available: release.experts.map(\.id))
            }
            let live = release.experts[index].version
            guard let previous = try String.fetchOne(
                db, sql: "SELECT record FROM expert_versions WHERE id = ? AND version < ? ORDER BY version DESC LIMIT 1",
                arguments: [id, live]).map({ try Self.decode(ExpertRecord.self, $0) }) else {
                throw ExpertRegistryError.noPreviousVersion(id: id, version: live)
            }
            release.experts[index] = previous
            return try Self.insertDeployment(release, origin: "rollback \(id) \(live) -> \(previous.version)", now: now, db: db)
        }
    }

    private static func insertDeployment(_ release: ExpertRelease, origin: String, now: Int, db: Database) throws -> ExpertRelease {
        var release = release
        release.origin = origin
        release.deployed = now
        release.deployment = 0
        try db.execute(sql: "INSERT INTO expert_deployments (created, origin, release) VALUES (?, ?, '')", arguments: [now, origin])
        release.deployment = Int(db.lastInsertedRowID)
        try db.execute(sql: "UPDATE expert_deployments SET release = ? WHERE deployment = ?",
                       arguments: [try encode(release), release.deployment])
        return release
    }

    private func access<T>(_ body: (Database) throws -> T) throws(ExpertRegistryError) -> T {
        do {
            return try database.write(body)
        } catch let error as ExpertRegistryError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }

    private static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw ExpertRegistryError.storage("a stored \(T.self) does not decode: \(error)")
        }
    }
}
