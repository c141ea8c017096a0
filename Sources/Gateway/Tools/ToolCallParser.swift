import Tokenizers

/// A call read from a model's output: the function's name and its arguments as JSON text.
public struct ParsedToolCall: Sendable, Equatable {
    public var name: String
    public var arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}

/// Reads the tool calls out of a model's whole answer (``ToolCallFormat``): every `<tool_call>` block (the closing tag
/// may be missing at the end: generation stops once a single call is complete) whose JSON names one of the tools,
/// and, when there is none, an answer that is nothing but such a JSON object (bare or in a JSON fence). Whatever is not a call is the content.
public struct ToolCallParser: Sendable {
    /// The functions that may be called; a block naming another stays in the content.
    public let names: Set<String>

    public init(names: Set<String>) { self.names = names }

    public func parse(_ text: String) -> (content: String, calls: [ParsedToolCall]) {
        var content = "", calls: [ParsedToolCall] = []
        var rest = Substring(text)
        while let open = rest.range(of: ToolCallFormat.callOpen) {
            content += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            let body: Substring
            let close = after.range(of: ToolCallFormat.callClose)
            if let close {
                body = after[..<close.lowerBound]
                rest = after[close.upperBound...]
            } else {
                body = after
                rest = ""
            }
            if let (call, after) = leadingCall(in: body) {
                calls.append(call)
                content += after
            } else {
                content += ToolCallFormat.callOpen + body + (close == nil ? "" : ToolCallFormat.callClose)
            }
        }
        content += rest
        if calls.isEmpty, let call = bareCall(content) { return ("", [call]) }
        return (calls.isEmpty ? content : content.trimmingWhitespace, calls)
    }

    /// A whole answer that is only a call's JSON object, maybe in a Markdown JSON fence (a model that forgot the tags).
    func bareCall(_ text: String) -> ParsedToolCall? {
        var trimmed = text.trimmingWhitespace
        if trimmed.hasPrefix("```json") {
            trimmed = String(trimmed.dropFirst(7))
            if trimmed.hasSuffix("```") { trimmed = String(trimmed.dropLast(3)) }
            trimmed = trimmed.trimmingWhitespace
        }
        guard trimmed.hasPrefix("{") else { return nil }
        return call(in: Substring(trimmed))
    }

    /// The call whose JSON object opens `body` (after whitespace), and the text after the object: a model that goes on
    /// writing after its call without closing the tag.
    func leadingCall(in body: Substring) -> (ParsedToolCall, Substring)? {
        let start = body.firstIndex { !$0.isWhitespace } ?? body.endIndex
        guard let end = Self.endOfObject(body[start...]), let call = call(in: body[start..<end]) else { return nil }
        return (call, body[end...])
    }

    /// The index after the JSON object that `text` starts with (braces counted outside strings); nil when it does not
    /// start with one or the object is not closed.
    static func endOfObject(_ text: Substring) -> Substring.Index? {
        guard text.first == "{" else { return nil }
        var depth = 0, inString = false, escaped = false
        for index in text.indices {
            let c = text[index]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "\"": inString = true
            case "{", "[": depth += 1
            case "}", "]":
                depth -= 1
                if depth == 0 { return text.index(after: index) }
            default: break
            }
        }
        return nil
    }

    /// The call a block's JSON describes: `{"name": …, "arguments": {…}}` (arguments may also be JSON text, or named
    /// `parameters`; absent means none).
    func call(in body: Substring) -> ParsedToolCall? {
        guard case let .dictionary(object)? = try? TemplateValue.parseJSON(String(body)),
              case let .string(name)? = object["name"], names.contains(name) else { return nil }
        switch object["arguments"] ?? object["parameters"] ?? .undefined {
        case .undefined, .none:
            return ParsedToolCall(name: name, arguments: "{}")
        case let .dictionary(arguments):
            return ParsedToolCall(name: name, arguments: TemplateValue.dictionary(arguments).jsonText)
        case let .string(text):
            guard case .dictionary? = try? TemplateValue.parseJSON(text) else { return nil }
            return ParsedToolCall(name: name, arguments: text)
        default:
            return nil
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
