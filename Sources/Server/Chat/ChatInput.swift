import Gateway
import Hummingbird
import NIOCore
import Tokenizers

/// A decoded `POST /v1/chat/completions` request as the planner and every answerer see it: the body, its
/// bytes as received, the checked sampling parameters and the conversation in the chat template's terms.
struct ChatInput: Sendable {
    let body: ChatCompletionRequest
    /// The body as received; a remote backend gets it with only the model name changed.
    let rawBody: ByteBuffer
    let parameters: RequestParameters
    /// The conversation for a local model's chat template.
    let messages: [ChatMessage]
    /// What the answering model must be able to do beyond what the body itself asks for, set in-process by the
    /// endpoints built on chat (`/v1/translate` requires ``ModelCapability/translation``); never read from a body.
    var requiredCapabilities: Set<ModelCapability> = []

    /// Collects and decodes the body (at most `limit` bytes), checks its parameters, then that it holds at
    /// least one message.
    init(decoding request: Request, limit: Int) async throws {
        let (body, rawBody) = try await request.decodeJSONBodyKeepingBytes(ChatCompletionRequest.self, limit: limit)
        try self.init(body: body, rawBody: rawBody)
    }

    /// Decodes a request body built in-process (the MCP server's `chat` tool), checked like one received over HTTP.
    init(json: ByteBuffer) throws {
        try self.init(body: JSONCoding.decode(ChatCompletionRequest.self, from: json), rawBody: json)
    }

    private init(body: ChatCompletionRequest, rawBody: ByteBuffer) throws {
        var body = body
        body.toolFields.restoreKeyOrder(fromBody: String(buffer: rawBody))
        self.parameters = try RequestParameters(body.sampling, logprobs: body.logprobs ?? false,
                                                topLogprobs: body.topLogprobs, topLogprobsParam: "top_logprobs")
        guard !body.messages.isEmpty else {
            throw APIError.invalidParameter("'messages' must contain at least one message", param: "messages")
        }
        self.body = body
        self.rawBody = rawBody
        self.messages = body.messages.map(\.chatMessage)
    }
}
