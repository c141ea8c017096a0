/// An OpenAI-compatible server GroupQwen forwards a model's requests to (vLLM, llama.cpp server,
/// Ollama's `/v1`, another GroupQwen).
public struct RemoteEndpoint: Sendable, Hashable, Codable {
    /// Base URL up to and including `/v1`, e.g. `http://gpu-box:8000/v1`.
    public var url: String
    /// The model name the remote server expects; `nil` sends the served id.
    public var model: String?
    /// Bearer key sent as `Authorization`, if the remote needs one.
    public var apiKey: String?
    /// Seconds to wait for the remote's response head (and, for non-streamed answers, the whole body).
    public var timeoutSeconds: Double
    /// Attempts per request (1 = no retry); retries back off 0.2 s, 0.4 s, 0.8 s, …
    public var attempts: Int

    public init(url: String, model: String? = nil, apiKey: String? = nil, timeoutSeconds: Double = 120, attempts: Int = 3) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.model = model
        self.apiKey = apiKey
        self.timeoutSeconds = timeoutSeconds
        self.attempts = attempts
    }
}
