import Foundation

/// One chat message: a role (`system`, `user`, `assistant`, `tool`) and its text; an assistant message may carry
/// tool calls, a tool message names the call it answers.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String
    /// The functions an assistant message called.
    public var toolCalls: [ChatToolCall]?
    /// The call a `tool` message answers.
    public var toolCallID: String?
    /// The function a `tool` message answers for.
    public var name: String?

    public init(role: String, content: String, toolCalls: [ChatToolCall]? = nil, toolCallID: String? = nil, name: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }

    /// The message as a chat template sees it (transformers' shape: `tool_calls` with `function.arguments` parsed
    /// into an object when it is JSON, as templates print it with `tojson`).
    var templateValue: TemplateValue {
        var d = TemplateDictionary()
        d["role"] = .string(role)
        d["content"] = .string(content)
        if let toolCalls {
            d["tool_calls"] = .array(toolCalls.map { call in
                let arguments = (try? TemplateValue.parseJSON(call.arguments)) ?? .string(call.arguments)
                return .object(["id": .string(call.id), "type": .string("function"),
                                "function": .object(["name": .string(call.name), "arguments": arguments])])
            })
        }
        if let toolCallID { d["tool_call_id"] = .string(toolCallID) }
        if let name { d["name"] = .string(name) }
        return .dictionary(d)
    }
}

/// A function call an assistant made: its id, the function's name and the arguments as JSON text.
public struct ChatToolCall: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// A compiled chat template (the Jinja subset HuggingFace chat templates use), or the ChatML fallback.
///
/// Rendering follows transformers' `apply_chat_template`: `trim_blocks` and `lstrip_blocks` on,
/// undefined values render empty, and `raise_exception` / `strftime_now` are available.
public struct ChatTemplate: Sendable {
    /// The template's source text.
    public let source: String
    /// Resource limits applied while rendering.
    public var limits: ChatTemplateLimits
    let nodes: [TemplateNode]

    /// Parses a Jinja chat template (e.g. a GGUF's `tokenizer.chat_template`).
    public init(source: String, limits: ChatTemplateLimits = ChatTemplateLimits()) throws(ChatTemplateError) {
        self.source = source
        self.limits = limits
        var lexer = TemplateLexer(source: source)
        var parser = TemplateParser(tokens: try lexer.tokenize(), maxNesting: limits.maxNesting)
        nodes = try parser.parseTemplate()
    }

    /// Renders a conversation. `messages` become dictionaries with `role` and `content`;
    /// `extra` adds or overrides variables (e.g. `tools`).
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
                       extra: [String: TemplateValue] = [:]) throws(ChatTemplateError) -> String {
        var context: [String: TemplateValue] = [
            "messages": .array(messages.map(\.templateValue)),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "tools": .none,
            "documents": .none,
        ]
        for (k, v) in extra { context[k] = v }
        return try render(context: context)
    }

    /// Renders with an explicit set of variables.
    public func render(context: [String: TemplateValue]) throws(ChatTemplateError) -> String {
        try render(context: context, now: Date())
    }

    func render(context: [String: TemplateValue], now: Date) throws(ChatTemplateError) -> String {
        try TemplateEvaluator(context: context, limits: limits, now: now).render(nodes)
    }

    /// Whether the template renders tool definitions itself (it reads the `tools` variable), as Qwen2.5's and
    /// Hermes-style templates do.
    public var rendersTools: Bool {
        source.range(of: #"\btools\b"#, options: .regularExpression) != nil
    }

    /// Plain ChatML (`<|im_start|>role\ncontent<|im_end|>\n`…), the fallback when a model has no
    /// template of its own; with `addGenerationPrompt` it ends with an open assistant turn.
    public static func chatML(messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var out = ""
        for m in messages { out += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }
}
