import Foundation
import Gateway
import MCP

extension MCPToolRunner {
    /// `memory_store`: embeds and keeps a text in the caller's scope.
    func memoryStore(_ arguments: MCPArguments) async throws -> CallTool.Result {
        try arguments.allow(only: ["text", "tags", "preservation"])
        let text = try arguments.requiredString("text")
        let tags = try arguments.strings("tags") ?? []
        let level = try arguments.string("preservation") ?? MemoryPreservation.permanent.rawValue
        guard let preservation = MemoryPreservation(rawValue: level) else {
            throw arguments.invalid("'preservation' must be one of ephemeral, session, permanent (got '\(level)')")
        }
        let entry = try await service.memoryStore().store(text, tags: tags, preservation: preservation, scope: caller.scope)
        return try Self.result(object: Self.object(entry), summary: "stored memory \(entry.id)")
    }

    /// `memory_search`: the caller's memories closest in meaning to `query`.
    func memorySearch(_ arguments: MCPArguments) async throws -> CallTool.Result {
        try arguments.allow(only: ["query", "top_k", "threshold", "tags"])
        let query = try arguments.requiredString("query")
        let topK = try arguments.int("top_k") ?? 5
        let threshold = try arguments.number("threshold") ?? 0
        let tags = try arguments.strings("tags") ?? []
        let matches = try await service.memoryStore().search(query, scope: caller.scope, topK: topK, tags: tags,
                                                             threshold: Float(threshold))
        let memories = matches.map { match -> [String: Any] in
            var object = Self.object(match.entry)
            object["similarity"] = (Double(match.similarity) * 10_000).rounded() / 10_000
            return object
        }
        return try Self.result(object: ["memories": memories], summary: "\(matches.count) memor\(matches.count == 1 ? "y" : "ies") found")
    }

    /// `memory_delete`: forgets one of the caller's memories.
    func memoryDelete(_ arguments: MCPArguments) async throws -> CallTool.Result {
        try arguments.allow(only: ["id"])
        let id = try arguments.requiredString("id")
        try await service.memoryStore().delete(id: id, scope: caller.scope)
        return try Self.result(object: ["id": id, "deleted": true], summary: "deleted memory \(id)")
    }

    /// A memory as JSON: id, text, tags, preservation, `created_at` and `expires_at` (Unix seconds; null: never).
    static func object(_ entry: MemoryEntry) -> [String: Any] {
        ["id": entry.id, "text": entry.text, "tags": entry.tags, "preservation": entry.preservation.rawValue,
         "created_at": Int(entry.created), "expires_at": entry.expires.map { Int($0) as Any } ?? NSNull()]
    }
}
