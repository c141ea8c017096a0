import Hummingbird

/// Writes server-sent events (`data: {json}\n\n`) to a response body as they are produced.
/// A write throws once the client has gone away, which ends the producing generation.
struct SSEWriter {
    private var writer: any ResponseBodyWriter

    init(_ writer: any ResponseBodyWriter) { self.writer = writer }

    /// The headers of an event-stream response.
    static var headers: HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        return fields
    }

    mutating func send(_ value: some Encodable) async throws {
        var buffer = ByteBuffer(string: "data: ")
        var json = JSONCoding.encode(value)
        buffer.writeBuffer(&json)
        buffer.writeString("\n\n")
        try await writer.write(buffer)
    }

    /// An in-stream error (after the headers went out) in OpenAI's shape.
    mutating func send(error: APIError) async throws {
        try await send(error.body)
    }

    /// `data: [DONE]` and the end of the body.
    consuming func finish() async throws {
        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
        try await writer.finish(nil)
    }
}
