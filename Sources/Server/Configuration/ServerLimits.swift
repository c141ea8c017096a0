/// Per-request limits of the server.
public struct ServerLimits: Sendable, Equatable {
    /// Largest accepted request body (413 above).
    public var maxBodyBytes: Int
    /// Requests allowed to wait per model once its slots are busy (429 above).
    public var maxQueuedPerModel: Int
    /// Cap on `max_tokens` when the request gives none; `nil`: the rest of the context.
    public var maxTokensDefault: Int?
    /// Longest a generation may run, in seconds; `nil`: no limit.
    public var requestTimeoutSeconds: Double?
    /// Most connections open at once; the next is answered 503 and closed.
    public var maxConnections: Int
    /// Seconds a connection may stay idle (between requests, or while a request's head or body is being sent)
    /// before it is closed.
    public var idleTimeoutSeconds: Double
    /// Seconds a new connection has to send its first request head (slowloris); 408 after.
    public var headerTimeoutSeconds: Double

    public init(maxBodyBytes: Int = 1 << 20, maxQueuedPerModel: Int = 32, maxTokensDefault: Int? = nil,
                requestTimeoutSeconds: Double? = nil, maxConnections: Int = 512, idleTimeoutSeconds: Double = 60,
                headerTimeoutSeconds: Double = 30) {
        self.maxBodyBytes = maxBodyBytes
        self.maxQueuedPerModel = maxQueuedPerModel
        self.maxTokensDefault = maxTokensDefault
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.maxConnections = maxConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.headerTimeoutSeconds = headerTimeoutSeconds
    }

    func validate() throws(ServerConfigurationError) {
        func fail(_ key: String, _ message: String) -> ServerConfigurationError {
            .invalid(key: "limits.\(key)", message: message, line: nil)
        }
        guard maxBodyBytes >= 1 else { throw fail("max_body_bytes", "must be ≥ 1") }
        guard maxQueuedPerModel >= 0 else { throw fail("max_queued_per_model", "must be ≥ 0") }
        if let maxTokensDefault, maxTokensDefault < 1 { throw fail("max_tokens_default", "must be ≥ 1") }
        if let t = requestTimeoutSeconds, !(t.isFinite && t > 0) { throw fail("request_timeout", "must be a positive number of seconds") }
        guard maxConnections >= 1 else { throw fail("max_connections", "must be ≥ 1") }
        guard idleTimeoutSeconds.isFinite, idleTimeoutSeconds > 0 else { throw fail("idle_timeout", "must be a positive number of seconds") }
        guard headerTimeoutSeconds.isFinite, headerTimeoutSeconds > 0 else {
            throw fail("header_timeout", "must be a positive number of seconds")
        }
    }
}
