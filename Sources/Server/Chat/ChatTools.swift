import Engine
import Gateway

/// What a request's `tools` ask of every local answer: the functions the model is shown, whether and how it must call
/// one (`tool_choice`, `parallel_tool_calls`) and the grammar each call is held to by constrained decoding, so that a
/// call always names a listed function and its arguments satisfy that function's parameters schema (objects that list
/// `properties` without `additionalProperties` take no other keys, as with llama.cpp).
///
/// - `auto`: the model writes freely; a call starts when it writes `<tool_call>` (or opens its answer with a JSON
///   fence or a bare `{`, as Qwen2.5-Coder 0.5B tends to), and from there its JSON is constrained (lazily, see
///   `ConstraintTrigger`); after the call, free text again when parallel calls are allowed, otherwise the answer ends.
/// - `required` / a named function: the answer is pre-filled with `<tool_call>\n`, constrained from the first
///   token (to the named function's calls only, for a named one) and ends with that one call.
/// - `none`: the tools are not shown; the model answers in text.
struct ChatTools: Sendable {
    let definitions: [ToolDefinition]
    let choice: ToolFields.Choice
    let parallel: Bool
    /// The calls' grammar: `{"name": …, "arguments": …}` for the functions that may be called.
    let grammar: JSONSchemaGrammar
    /// The functions whose calls are read from the answer.
    let names: Set<String>
    /// The functions held to "any object" instead of their parameters schema (non-strict, unenforceable schemas).
    private let looseArguments: [String: String]

    /// The tools of a request that may call one; nil without tools or with `tool_choice: none`. A `strict` function
    /// whose parameters use a schema keyword the decoder cannot enforce is a 400 naming it; a non-strict one is held
    /// to "any object" instead.
    init?(_ fields: ToolFields, grammars: GrammarCache) throws {
        guard fields.mayCall else { return nil }
        let choice = fields.effectiveChoice
        var overrides: [String: String] = [:]
        for (index, tool) in fields.tools.enumerated() {
            guard let parameters = tool.definition.parameters else { continue }
            do {
                _ = try grammars.grammar(parameters)
            } catch {
                guard !tool.strict else {
                    throw APIError.invalidParameter("\(error); remove it or set strict to false", param: "tools[\(index)].function.parameters",
                                                    code: "unsupported_schema")
                }
                overrides[tool.definition.name] = #"{"type": "object"}"#
            }
        }
        try self.init(definitions: fields.tools.map(\.definition), choice: choice, parallel: fields.parallel,
                      looseArguments: overrides, grammars: grammars)
    }

    private init(definitions: [ToolDefinition], choice: ToolFields.Choice, parallel: Bool, looseArguments: [String: String],
                 grammars: GrammarCache) throws {
        let callable = definitions.filter { tool in
            if case let .function(name) = choice { return tool.name == name }
            return true
        }
        do {
            grammar = try grammars.grammar(ToolDefinition.callSchema(callable, arguments: looseArguments), closedObjects: true)
        } catch {
            throw APIError.invalidParameter("\(error)", param: "tools", code: "unsupported_schema")
        }
        self.definitions = definitions
        self.choice = choice
        self.parallel = parallel
        self.looseArguments = looseArguments
        names = Set(callable.map(\.name))
    }

    /// The same tools without some functions (neither shown nor callable); nil when no function that may be called
    /// is left.
    func withholding(_ functions: Set<String>, grammars: GrammarCache) throws -> ChatTools? {
        guard !names.subtracting(functions).isEmpty else { return nil }
        return try ChatTools(definitions: definitions.filter { !functions.contains($0.name) }, choice: choice, parallel: parallel,
                             looseArguments: looseArguments, grammars: grammars)
    }

    /// The start of the answer written into the prompt: `<tool_call>\n` when a call is required.
    var prefill: String { choice == .auto ? "" : ToolCallFormat.callOpen + "\n" }

    /// The constraint for one generation with a model's vocabulary. `afterResults`: the conversation ends with tool
    /// results, where small models lean to calling again rather than answering; the first token alone decides whether
    /// the answer is a call (no `ToolCallFormat.callThreshold`).
    func constraint(vocabulary: TokenVocabulary, afterResults: Bool = false) -> OutputConstraint {
        // A required or named call is one call: the answer ends with it.
        let once = !parallel || choice != .auto
        let trigger = ConstraintTrigger([ToolCallFormat.callOpen], startTexts: ToolCallFormat.bareCallOpenings.map {
            ConstraintTrigger.StartText($0, isDocumentStart: $0 == "{")
        }, once: once, openingThreshold: choice == .auto && !afterResults ? ToolCallFormat.callThreshold : nil)
        return OutputConstraint(grammar: grammar, vocabulary: vocabulary, trigger: trigger, active: choice != .auto)
    }

    /// Reads an answer: its content and calls (`prefill` is part of the answer).
    func parse(_ text: String) -> (content: String, calls: [ParsedToolCall]) {
        ToolCallParser(names: names).parse(prefill + text)
    }
}
