import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Gateway
import Server

/// Where the `experts` commands find the live experts: a running server (`--server URL`, hot) or the registry in a
/// server's SQLite database (`--database PATH`, the default one when neither is given; a server reads it at start).
struct ExpertsTargetOptions: ParsableArguments {
    @Option(help: "A running GroupQwen server (e.g. http://127.0.0.1:8080): deploy and roll back hot.")
    var server: String?

    @Option(help: "The server's SQLite database (its `training.path`; default $GROUPQWEN_HOME/fine-tuning.sqlite).")
    var database: String?

    @Option(help: "API key for --server.")
    var apiKey: String?

    func validate() throws {
        if server != nil, database != nil { throw ValidationError("give --server or --database, not both") }
    }

    /// `server URL` or the database path, for messages.
    var label: String { server.map { "server \($0)" } ?? "database \(databasePath)" }

    var databasePath: String { database ?? FineTuningConfiguration.standard.databasePath ?? ":memory:" }

    func registry() throws -> ExpertRegistry { try ExpertRegistry(path: databasePath) }

    /// The live release, or nil.
    func live() async throws -> ExpertRelease? {
        guard server != nil else { return try registry().current() }
        let (status, data) = try await request("GET", "/v1/experts/release")
        if status == 404 { return nil }
        guard status == 200 else { throw ExpertsCommandError.server(status: status, body: data) }
        return try ExpertRelease(jsonData: data)
    }

    /// Makes `release` live; returns it as deployed.
    func deploy(_ release: ExpertRelease) async throws -> ExpertRelease {
        guard server != nil else { return try registry().deploy(release) }
        let (status, data) = try await request("POST", "/v1/experts/deploy", body: try release.jsonData())
        guard status == 200 else { throw ExpertsCommandError.server(status: status, body: data) }
        return try await live() ?? release
    }

    /// Rolls expert `id` back; returns the live release.
    func rollback(_ id: String) async throws -> ExpertRelease {
        guard server != nil else { return try registry().rollback(id) }
        let (status, data) = try await request("POST", "/v1/experts/\(id)/rollback")
        guard status == 200 else { throw ExpertsCommandError.server(status: status, body: data) }
        guard let live = try await live() else { throw ExpertRegistryError.nothingDeployed }
        return live
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) async throws -> (Int, Data) {
        guard let server, let url = URL(string: server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
            throw ValidationError("--server must be a URL such as http://127.0.0.1:8080")
        }
        var request = URLRequest(url: url, timeoutInterval: 600)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

/// A server refused an `experts` request.
enum ExpertsCommandError: Error, CustomStringConvertible {
    case server(status: Int, body: Data)

    var description: String {
        switch self {
        case let .server(status, body):
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
            let message = (object?["error"] as? [String: Any])?["message"] as? String ?? String(decoding: body.prefix(500), as: UTF8.self)
            return "the server answered \(status): \(message)"
        }
    }
}
