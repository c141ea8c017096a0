/// What every answer to a request must satisfy, whichever candidate gives it. Today that is JSON mode
/// (`response_format` `json_object` / `json_schema`).
struct ChatConstraints: Sendable {
    /// JSON mode; nil for plain text (`response_format` absent or `text`).
    var jsonMode: JSONResponseMode?

    init(jsonMode: JSONResponseMode? = nil) {
        self.jsonMode = jsonMode
    }

    /// The constraints a request's body asks for.
    init(_ body: ChatCompletionRequest) {
        self.init(jsonMode: body.responseFormat.flatMap { $0.kind == .text ? nil : JSONResponseMode(schema: $0.schema) })
    }

    /// Whether an answer may be escalated for low confidence: a JSON-mode answer is buffered, validated and
    /// retried instead, and never judged.
    var allowsConfidenceJudging: Bool { jsonMode == nil }
}
