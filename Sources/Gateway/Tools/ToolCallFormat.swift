import Tokenizers

/// How models are asked for tool calls and how their calls are read: the Hermes format Qwen2.5 is trained on.
/// The tools are listed in the system turn inside `<tools></tools>`, a call is a JSON object
/// `{"name": …, "arguments": {…}}` inside `<tool_call></tool_call>`, and results come back inside
/// `<tool_response></tool_response>`.
///
/// A model whose chat template renders tools itself (it reads `tools`: Qwen2.5) gets them through its template.
/// Any other (SmolLM2, Gemma) gets the fallback: the same instructions appended to the system message, its earlier
/// calls written into the assistant text, and tool results as user turns.
public enum ToolCallFormat {
    public static let callOpen = "<tool_call>"
    public static let callClose = "</tool_call>"
    /// How an answer that is a call without the tags may open (a Markdown JSON fence, or the object itself): read as a
    /// call when it is one.
    public static let bareCallOpenings = ["```json", "{"]
    /// With `tool_choice: auto`, the answer is a call when the model gives the ways of opening one (`<tool_call>`, a
    /// JSON fence, `{`) together at least this probability at the first token (`ConstraintTrigger.openingThreshold`);
    /// not after tool results, where the 0.5B gives a call ≥ 0.97 whatever comes next.
    /// Measured with Qwen2.5-Coder-0.5B at temperature 0 (first-token probabilities): on ToolBench, prompts that need
    /// a call had an opening mass of 0.47–0.98 when the model called, and 0–0.32 when it answered in text instead
    /// (mostly under a client system prompt); prompts that need none had ≤ 0.06 whenever the model answered in text.
    /// 0.25 turned ToolBench's two system-prompt misses (0.25, 0.32) into right calls and no text answer into a call.
    /// On 26 newer prompts it turned one miss (0.27) into a right call and two text answers (0.31, 0.43) into calls.
    public static let callThreshold: Float = 0.25

    /// The system-turn text of the fallback prompt (the same words Qwen2.5's template uses).
    public static func instructions(_ tools: [ToolDefinition]) -> String {
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
            + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
            + tools.map { "\n" + $0.templateValue.jsonText }.joined()
            + "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
            + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"
    }

    /// Whether a text answer is shaped like a tool call rather than prose: it opens with `<tool_call>`, or with a JSON
    /// object (bare or in a fence) that has a `"name"` key. A model asked to answer without tools writes this when
    /// it still wants to call one.
    public static func looksLikeCall(_ text: String) -> Bool {
        let trimmed = text.drop(while: \.isWhitespace)
        if trimmed.hasPrefix(callOpen) { return true }
        guard trimmed.hasPrefix("{") || trimmed.hasPrefix("```") else { return false }
        return trimmed.prefix(200).contains("\"name\"")
    }

    /// The text of one call as a model writes it.
    public static func callText(_ call: ChatToolCall) -> String {
        let arguments = (try? TemplateValue.parseJSON(call.arguments))?.jsonText ?? call.arguments
        return "\(callOpen)\n{\"name\": \(TemplateValue.string(call.name).jsonText), \"arguments\": \(arguments)}\n\(callClose)"
    }

    /// The conversation rewritten for a template that knows nothing of tools: instructions in the (first) system
    /// message, calls as assistant text, consecutive tool results as one user turn of `<tool_response>` blocks.
    public static func fallbackMessages(_ messages: [ChatMessage], tools: [ToolDefinition]) -> [ChatMessage] {
        var out: [ChatMessage] = []
        let instructions = tools.isEmpty ? nil : Self.instructions(tools)
        if let instructions {
            if let first = messages.first, first.role == "system" {
                out.append(ChatMessage(role: "system", content: first.content.isEmpty ? instructions : first.content + "\n\n" + instructions))
            } else {
                out.append(ChatMessage(role: "system", content: instructions))
            }
        }
        for (index, message) in messages.enumerated() {
            if index == 0, instructions != nil, message.role == "system" { continue }
            switch message.role {
            case "assistant" where !(message.toolCalls ?? []).isEmpty:
                let calls = message.toolCalls!.map(callText).joined(separator: "\n")
                out.append(ChatMessage(role: "assistant", content: message.content.isEmpty ? calls : message.content + "\n" + calls))
            case "tool":
                let block = "<tool_response>\n\(message.content)\n</tool_response>"
                if let last = out.last, last.role == "user", last.content.hasSuffix("</tool_response>"),
                   index > 0, messages[index - 1].role == "tool" {
                    out[out.count - 1].content += "\n" + block
                } else {
                    out.append(ChatMessage(role: "user", content: block))
                }
            default:
                out.append(ChatMessage(role: message.role, content: message.content))
            }
        }
        return out
    }
}
