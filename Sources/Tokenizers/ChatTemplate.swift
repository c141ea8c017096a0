/// One chat message: a role (`system`, `user`, `assistant`, `tool`) and its text.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Renders a conversation into prompt text.
public enum ChatTemplate {
    /// Plain ChatML (`<|im_start|>role\ncontent<|im_end|>\n`…), the fallback when a model has no
    /// template of its own; with `addGenerationPrompt` it ends with an open assistant turn.
    public static func chatML(messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var out = ""
        for m in messages { out += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }
}
