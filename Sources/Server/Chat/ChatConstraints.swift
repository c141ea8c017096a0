import Engine

/// What every answer to a request must satisfy, whichever candidate gives it. Today that is JSON mode
/// (`response_format` `json_object` / `json_schema`).
struct ChatConstraints: Sendable {
    /// JSON mode; nil for plain text (`response_format` absent or `text`).
    var jsonMode: JSONResponseMode?
    /// The grammar local models are held to by constrained decoding: any JSON object for `json_object`, the schema
    /// for `json_schema`. nil without JSON mode, or for a non-strict schema the decoder cannot enforce (then the
    /// schema is only shown to the model, and the answer validated and retried as before).
    var grammar: JSONSchemaGrammar?

    init(jsonMode: JSONResponseMode? = nil, grammar: JSONSchemaGrammar? = nil) {
        self.jsonMode = jsonMode
        self.grammar = grammar
    }

    /// The constraints a request's body asks for; a strict schema the decoder cannot enforce is a 400 naming the
    /// keyword.
    init(_ body: ChatCompletionRequest, grammars: GrammarCache) throws {
        guard let format = body.responseFormat, format.kind != .text else {
            self.init()
            return
        }
        let jsonMode = JSONResponseMode(schema: format.schema)
        guard format.kind == .jsonSchema else {
            self.init(jsonMode: jsonMode, grammar: .anyObject)
            return
        }
        guard let schema = format.schema else {
            throw APIError.invalidParameter("response_format json_schema needs a 'schema'", param: "response_format.json_schema.schema")
        }
        do {
            self.init(jsonMode: jsonMode, grammar: try grammars.grammar(schema))
        } catch {
            guard format.strict else {
                self.init(jsonMode: jsonMode)
                return
            }
            throw APIError.invalidParameter("\(error); remove it or set strict to false (then the schema is only shown to the model)",
                                            param: "response_format.json_schema.schema", code: "unsupported_schema")
        }
    }

    /// Whether an answer may be escalated for low confidence: a JSON-mode answer is never judged (constrained, or
    /// buffered, validated and retried instead).
    var allowsConfidenceJudging: Bool { jsonMode == nil }
}
