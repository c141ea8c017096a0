import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Server
import Testing

/// Collects log records in memory.
final class LogCapture: LogHandler, @unchecked Sendable {
    struct Record { let message: String; let metadata: Logger.Metadata }
    private let lock = NSLock()
    private var stored: [Record] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        let merged = metadata.merging(explicit ?? [:]) { $1 }
        lock.withLock { stored.append(Record(message: message.description, metadata: merged)) }
    }

    var records: [Record] { lock.withLock { stored } }
}

extension ServerTests {
    @Suite("Access log")
    struct AccessLogTests {
        @Test("one structured line per request with its id (also returned as X-Request-Id); never message contents")
        func structuredLines() async throws {
            let capture = LogCapture()
            let logger = Logger(label: "test") { _ in capture }
            let app = GroupQwenServer.makeApplication(configuration: TestServer.configuration(), pool: TestServer.pool,
                                                      managesPool: false, logger: logger)
            try await app.test(.router) { client in
                let response = try await client.post("/v1/chat/completions",
                                                     json: chatBody("My secret is PINEAPPLE-4711", extra: #","user":"u-1""#))
                #expect(response.status == .ok)
                let id = try #require(response.headers[HTTPField.Name("X-Request-Id")!])
                let line = try #require(capture.records.first { $0.message == "request" && "\($0.metadata["hb.request.id"] ?? "")" == id })
                #expect("\(line.metadata["path"] ?? "")" == "/v1/chat/completions")
                #expect("\(line.metadata["status"] ?? "")" == "200")
                #expect("\(line.metadata["model"] ?? "")" == "smollm2-135m")
                #expect(line.metadata["duration_ms"] != nil)
            }
            let everything = capture.records.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(!everything.contains("PINEAPPLE"))
        }
    }
}
