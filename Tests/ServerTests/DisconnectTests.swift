import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ServerTests {
    @Suite("Client disconnect")
    struct DisconnectTests {
        @Test("a full model answers 429; closing the connection mid-stream ends the generation")
        func disconnectCancels() async throws {
            // A pool of its own (one slot, no queue), so the scheduler's load and step count are this test's alone.
            var served = TestServer.served
            served.maxConcurrent = 1
            served.maxQueued = 0
            let pool = ModelPool(configuration: ModelPoolConfiguration(models: [served], keepAlive: nil, fetchMissing: false))
            let model = try await pool.model(TestServer.modelID)
            let app = GroupQwenServer.makeApplication(configuration: TestServer.configuration(), pool: pool, managesPool: false)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let socket = try RawSocket(port: port)
                let body = #"{"model":"smollm2-135m","prompt":"1, 2, 3, 4, 5,","max_tokens":400,"temperature":0,"stream":true}"#
                try socket.send("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                // Wait for a few streamed tokens, then hang up.
                var received = ""
                while received.components(separatedBy: "data: ").count < 4 { received += try socket.receive() }
                // The only slot is taken: another request is refused at once.
                let busy = try await client.post("/v1/completions", json: #"{"model":"smollm2-135m","prompt":"Hi","max_tokens":2}"#)
                _ = busy.expectError(.tooManyRequests, type: "rate_limit_error", code: "rate_limit_exceeded")
                #expect(busy.headers[.retryAfter] == "1")
                let stepsAtClose = model.scheduler.statistics.steps
                socket.close()
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(10)
                while model.scheduler.load.active + model.scheduler.load.queued > 0, clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(model.scheduler.load.active + model.scheduler.load.queued == 0)
                let extraSteps = model.scheduler.statistics.steps - stepsAtClose
                #expect(extraSteps < 100, "the generation ran \(extraSteps) more steps after the client left")
            }
            await pool.shutdown(cancelInFlight: true)
        }
    }
}

/// A blocking TCP client, enough to drop a connection mid-response.
final class RawSocket {
    private var fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EBADF) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            sent += n
        }
    }

    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw POSIXError(.ECONNRESET) }
        return String(decoding: buffer[..<n], as: UTF8.self)
    }

    func close() {
        if fd >= 0 {
            #if canImport(Glibc)
            Glibc.close(fd)
            #else
            Darwin.close(fd)
            #endif
            fd = -1
        }
    }

    deinit { close() }
}
