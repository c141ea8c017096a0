import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Forwards requests for one served model to an OpenAI-compatible server, with retries (exponential
/// backoff) for connection failures, 429 and 5xx answers, and a circuit breaker that skips the backend
/// while it keeps failing. Client errors (other 4xx) are returned as they are: they are the caller's.
public final class RemoteBackend: Sendable {
    public let modelID: String
    public let endpoint: RemoteEndpoint
    public let breaker: CircuitBreaker
    private let client: HTTPClient

    /// The process-wide client for backends. A connection that cannot be established fails the request
    /// at once (refused) or after 3 s (unreachable) instead of being retried inside the pool until the
    /// request deadline; `post` retries with its own backoff, so a dead backend is skipped quickly.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(3))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(modelID: String, endpoint: RemoteEndpoint, breaker: CircuitBreaker = CircuitBreaker(),
                client: HTTPClient = RemoteBackend.sharedClient) {
        self.modelID = modelID
        self.endpoint = endpoint
        self.breaker = breaker
        self.client = client
    }

    /// The model name to put into forwarded bodies.
    public var remoteModelName: String { endpoint.model ?? modelID }

    /// POSTs `body` (JSON) to `path` under the endpoint URL (e.g. `/chat/completions`) and returns the
    /// response once its head arrived with a status that is not retried.
    public func post(path: String, body: ByteBuffer) async throws(RemoteBackendError) -> HTTPClientResponse {
        guard breaker.allowRequest() else { throw .circuitOpen(model: modelID, url: endpoint.url) }
        var request = HTTPClientRequest(url: endpoint.url + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let key = endpoint.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(body)
        var lastReason = "no attempt made"
        for attempt in 0..<max(1, endpoint.attempts) {
            if attempt > 0 {
                try? await Task.sleep(for: .milliseconds(200 << (attempt - 1)))
            }
            do {
                let response = try await client.execute(request, timeout: .milliseconds(Int64(endpoint.timeoutSeconds * 1000)))
                let code = response.status.code
                if code == 429 || code >= 500 {
                    lastReason = "HTTP \(code)"
                    _ = try? await response.body.collect(upTo: 1 << 16)   // drain so the connection can be reused
                    continue
                }
                breaker.recordSuccess()
                return response
            } catch {
                lastReason = Self.describe(error)
            }
        }
        breaker.recordFailure()
        throw .unavailable(model: modelID, url: endpoint.url, reason: lastReason)
    }

    /// GETs `<url>/models`; a 2xx answer closes the circuit, anything else counts as a failure.
    @discardableResult
    public func checkHealth(timeout: Duration = .seconds(5)) async -> Bool {
        var request = HTTPClientRequest(url: endpoint.url + "/models")
        if let key = endpoint.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            _ = try? await response.body.collect(upTo: 1 << 20)
            if (200..<300).contains(response.status.code) {
                breaker.recordSuccess()
                return true
            }
        } catch {}
        breaker.recordFailure()
        return false
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
