import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

extension ServerTests {
    /// `POST /mcp` in-process: sessions, keys, and the tools answered by the real chat path (SmolLM2-135M) and a real
    /// MiniLM memory store (in memory). The official Python SDK drives the same endpoint in Tests/python/test_mcp.py.
    @Suite("MCP endpoint")
    struct MCPEndpointTests {
        static func app() -> some ApplicationProtocol {
            var configuration = TestServer.configuration(apiKeys: ["key-1", "key-2"])
            configuration.mcp.memoryPath = nil
            return GroupQwenServer.makeApplication(configuration: configuration, pool: TestServer.pool, managesPool: false)
        }

        static func headers(key: String, session: String? = nil) -> HTTPFields {
            var headers: HTTPFields = [.authorization: "Bearer \(key)", .accept: "application/json, text/event-stream"]
            if let session { headers[HTTPField.Name("Mcp-Session-Id")!] = session }
            return headers
        }

        static func rpc(_ id: Int, _ method: String, _ params: String = "{}") -> String {
            #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
        }

        /// Opens a session for `key`; returns its id.
        static func initialize(_ client: some TestClientProtocol, key: String) async throws -> String {
            let params = #"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"swift-test","version":"0"}}"#
            let response = try await client.post("/mcp", json: rpc(1, "initialize", params), headers: headers(key: key))
            #expect(response.status == .ok, "\(response.text)")
            let session = try #require(response.headers[HTTPField.Name("Mcp-Session-Id")!])
            let initialized = try await client.post("/mcp", json: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                                                     headers: headers(key: key, session: session))
            #expect(initialized.status == .accepted)
            return session
        }

        static func call(_ client: some TestClientProtocol, key: String, session: String, tool: String,
                         arguments: String) async throws -> [String: Any] {
            let response = try await client.post("/mcp", json: rpc(7, "tools/call", #"{"name":"\#(tool)","arguments":\#(arguments)}"#),
                                                 headers: headers(key: key, session: session))
            #expect(response.status == .ok, "\(response.text)")
            return response.json
        }

        @Test("chat answers through the chat controller with the routing decision")
        func chat() async throws {
            try await Self.app().test(.router) { client in
                let session = try await Self.initialize(client, key: "key-1")
                let reply = try await Self.call(client, key: "key-1", session: session, tool: "chat",
                                                arguments: #"{"prompt":"Name a colour.","model":"smollm2-135m","max_tokens":6,"temperature":0}"#)
                let result = try #require(reply["result"] as? [String: Any], "\(reply)")
                let structured = try #require(result["structuredContent"] as? [String: Any])
                #expect(structured["model"] as? String == TestServer.modelID)
                #expect((structured["answer"] as? String)?.isEmpty == false)
                #expect(structured["cache"] as? String == "bypass")
                #expect((structured["usage"] as? [String: Any])?["completion_tokens"] as? Int ?? 0 >= 1)
                #expect(result["isError"] == nil || result["isError"] as? Bool == false)

                let bad = try await Self.call(client, key: "key-1", session: session, tool: "chat", arguments: #"{"prompt":"hi","model":"nope"}"#)
                #expect((bad["error"] as? [String: Any])?["code"] as? Int == -32602, "\(bad)")
            }
        }

        @Test("memories are per key; sessions answer only their key")
        func memoriesAndSessions() async throws {
            try await Self.app().test(.router) { client in
                let one = try await Self.initialize(client, key: "key-1")
                let stored = try await Self.call(client, key: "key-1", session: one, tool: "memory_store",
                                                 arguments: #"{"text":"The spare key is under the blue flowerpot.","preservation":"ephemeral"}"#)
                let entry = try #require((stored["result"] as? [String: Any])?["structuredContent"] as? [String: Any], "\(stored)")
                #expect(entry["preservation"] as? String == "ephemeral")
                #expect((entry["expires_at"] as? Int ?? 0) - (entry["created_at"] as? Int ?? 0) == 3600)

                let found = try await Self.call(client, key: "key-1", session: one, tool: "memory_search",
                                                arguments: #"{"query":"Where is the spare key hidden?","top_k":1}"#)
                let memories = ((found["result"] as? [String: Any])?["structuredContent"] as? [String: Any])?["memories"] as? [[String: Any]]
                #expect(memories?.first?["id"] as? String == entry["id"] as? String)

                // key-2 cannot use key-1's session, and its own session sees no memories.
                let stolen = try await client.post("/mcp", json: Self.rpc(3, "tools/list"), headers: Self.headers(key: "key-2", session: one))
                #expect(stolen.status == .notFound)
                let two = try await Self.initialize(client, key: "key-2")
                let other = try await Self.call(client, key: "key-2", session: two, tool: "memory_search", arguments: #"{"query":"spare key"}"#)
                let otherMemories = try #require(((other["result"] as? [String: Any])?["structuredContent"] as? [String: Any])?["memories"] as? [Any],
                                                 "\(other)")
                #expect(otherMemories.isEmpty)

                // No key: 401 before MCP; no session: initialize first; DELETE ends a session.
                let anonymous = try await client.post("/mcp", json: Self.rpc(1, "tools/list"))
                _ = anonymous.expectError(.unauthorized)
                #expect(try await client.post("/mcp", json: Self.rpc(4, "tools/list"), headers: Self.headers(key: "key-1")).status == .badRequest)
                #expect(try await client.execute(uri: "/mcp", method: .delete, headers: Self.headers(key: "key-1", session: one)).status == .ok)
                #expect(try await client.post("/mcp", json: Self.rpc(5, "tools/list"), headers: Self.headers(key: "key-1", session: one)).status == .notFound)
            }
        }
    }
}
