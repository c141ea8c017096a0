import Foundation

/// One chat message: a role (`system`, `user`, `assistant`, `tool`) and its text.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
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
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }),
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

    /// Plain ChatML (`<|im_start|>role\ncontent<|im_end|>\n`…), the fallback when a model has no
    /// template of its own; with `addGenerationPrompt` it ends with an open assistant turn.
    public static func chatML(messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var out = ""
        for m in messages { out += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }
}
