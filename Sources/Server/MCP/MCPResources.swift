import Foundation
import Gateway
import MCP

/// The MCP resources: the model list (`groupqwen://models`) and the caller's memories (`memory://{id}`), as JSON.
struct MCPResources: Sendable {
    static let modelsURI = "groupqwen://models"
    static let memoryPrefix = "memory://"
    /// JSON-RPC code of an unknown resource (the MCP specification's "resource not found").
    static let notFoundCode = -32002

    static let templates = [
        Resource.Template(uriTemplate: "memory://{id}", name: "memory", title: "A stored memory",
                          description: "One of your memories by id (from memory_store or memory_search)", mimeType: "application/json"),
    ]

    let service: MCPService
    let caller: MCPCaller

    /// The model list and every unexpired memory of the caller's scope, oldest first.
    func list() async throws -> ListResources.Result {
        var resources = [Resource(name: "models", uri: Self.modelsURI, title: "Models",
                                  description: "The models this server serves (as GET /v1/models)", mimeType: "application/json")]
        let memories: [MemoryEntry]
        do { memories = try await service.memoryStore().entries(scope: caller.scope) } catch {
            throw MCPError.internalError(error.description)
        }
        for entry in memories {
            let name = entry.text.count > 60 ? String(entry.text.prefix(57)) + "..." : entry.text
            resources.append(Resource(name: name, uri: Self.memoryPrefix + entry.id, description: "memory (\(entry.preservation.rawValue))",
                                      mimeType: "application/json"))
        }
        return ListResources.Result(resources: resources)
    }

    /// The contents of `uri`; an unknown resource (or another scope's memory) is error -32002.
    func read(_ uri: String) async throws -> ReadResource.Result {
        if uri == Self.modelsURI {
            let json = JSONCoding.encodeData(await ModelsController(state: service.state).modelList())
            return ReadResource.Result(contents: [.text(String(decoding: json, as: UTF8.self), uri: uri, mimeType: "application/json")])
        }
        if uri.hasPrefix(Self.memoryPrefix) {
            let id = String(uri.dropFirst(Self.memoryPrefix.count))
            do {
                let entry = try await service.memoryStore().entry(id: id, scope: caller.scope)
                let json = try JSONSerialization.data(withJSONObject: MCPToolRunner.object(entry), options: [.sortedKeys])
                return ReadResource.Result(contents: [.text(String(decoding: json, as: UTF8.self), uri: uri, mimeType: "application/json")])
            } catch MemoryStoreError.notFound {
                // Falls through to "not found" below.
            }
        }
        throw MCPError.serverError(code: Self.notFoundCode, message: "Resource not found: \(uri)")
    }
}
