import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// Every server suite, run one test at a time: concurrent requests share batched forward passes,
/// whose rounding can flip a greedy near-tie, and the tests compare greedy texts across requests.
@Suite(.serialized) enum ServerTests {}

/// One pool with the real SmolLM2-135M model, shared by every test so it loads once.
enum TestServer {
    static let modelID = "smollm2-135m"
    static let served = ServedModel(id: modelID, source: modelID, contextLength: 512, maxConcurrent: 4)
    static let pool = ModelPool(configuration: ModelPoolConfiguration(models: [served], keepAlive: nil, fetchMissing: false))

    static func configuration(apiKeys: [APIKeyEntry] = [], limits: ServerLimits = ServerLimits()) -> ServerConfiguration {
        ServerConfiguration(models: [served], limits: limits, keepAliveSeconds: nil, apiKeys: apiKeys, fetchMissing: false)
    }

    static func app(apiKeys: [APIKeyEntry] = [], maxBodyBytes: Int = 1 << 20) -> some ApplicationProtocol {
        app(apiKeys: apiKeys, limits: ServerLimits(maxBodyBytes: maxBodyBytes))
    }

    static func app(apiKeys: [APIKeyEntry] = [], limits: ServerLimits) -> some ApplicationProtocol {
        GroupQwenServer.makeApplication(configuration: configuration(apiKeys: apiKeys, limits: limits), pool: pool, managesPool: false)
    }
}

extension TestClientProtocol {
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The `data:` payloads of an event stream, in order.
    var events: [String] {
        text.components(separatedBy: "\n\n").compactMap { block in
            block.hasPrefix("data: ") ? String(block.dropFirst(6)) : nil
        }
    }

    /// Checks the OpenAI error shape and returns `error`.
    func expectError(_ status: HTTPResponse.Status, type: String = "invalid_request_error", param: String? = nil,
                     code: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        #expect(self.status == status, "body: \(text)", sourceLocation: sourceLocation)
        let error = json["error"] as? [String: Any] ?? [:]
        #expect(error["message"] is String, "body: \(text)", sourceLocation: sourceLocation)
        #expect(error["type"] as? String == type, "body: \(text)", sourceLocation: sourceLocation)
        #expect(error.keys.contains("param") && error.keys.contains("code"), "body: \(text)", sourceLocation: sourceLocation)
        if let param { #expect(error["param"] as? String == param, "body: \(text)", sourceLocation: sourceLocation) }
        if let code { #expect(error["code"] as? String == code, "body: \(text)", sourceLocation: sourceLocation) }
        return error
    }
}

func jsonObject(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

func chatBody(_ content: String = "Name three colors.", extra: String = "") -> String {
    let message = String(decoding: try! JSONEncoder().encode(content), as: UTF8.self)
    return #"{"model":"smollm2-135m","max_tokens":8,"temperature":0,"messages":[{"role":"user","content":\#(message)}]\#(extra)}"#
}

/// A chat request with only `fields` besides model and messages.
func bareChat(_ fields: String) -> String {
    #"{"model":"smollm2-135m","messages":[{"role":"user","content":"Hi"}],\#(fields)}"#
}
