import Gateway
import Tokenizers

/// The function-calling fields of a chat request: `tools`, `tool_choice` and `parallel_tool_calls`.
struct ToolFields: Decodable, Sendable {
    /// `tool_choice`: never call (`none`), let the model decide (`auto`), call something (`required`), or call this
    /// function.
    enum Choice: Sendable, Equatable {
        case none, auto, required
        case function(String)
    }

    /// One `tools` entry, `{"type": "function", "function": {"name", "description", "parameters", "strict"}}`.
    struct Tool: Sendable {
        var definition: ToolDefinition
        /// `function.strict`: the parameters schema must be enforced exactly (an unsupported keyword is a 400).
        var strict: Bool
    }

    var tools: [Tool]
    /// nil: `auto` with tools, `none` without (OpenAI's default).
    var choice: Choice?
    var parallel: Bool

    enum CodingKeys: String, CodingKey { case tools, toolChoice = "tool_choice", parallelToolCalls = "parallel_tool_calls" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parallel = try c.decodeIfPresent(Bool.self, forKey: .parallelToolCalls) ?? true
        var tools: [Tool] = []
        if c.contains(.tools), try !c.decodeNil(forKey: .tools) {
            let entries = try c.decode([JSONValue].self, forKey: .tools)
            for (index, entry) in entries.enumerated() {
                tools.append(try Self.tool(entry, param: "tools[\(index)]"))
            }
        }
        var seen = Set<String>()
        for (index, tool) in tools.enumerated() where !seen.insert(tool.definition.name).inserted {
            throw APIError.invalidParameter("tools[\(index)]: the function name '\(tool.definition.name)' is used twice",
                                            param: "tools[\(index)].function.name")
        }
        self.tools = tools
        choice = try c.decodeIfPresent(JSONValue.self, forKey: .toolChoice).map { try Self.choice($0, names: seen) }
    }

    /// Puts each function's parameters schema back in the key order the client wrote (decoding went through a
    /// dictionary): the model sees the properties in that order and tends to write the arguments in it.
    mutating func restoreKeyOrder(fromBody text: String) {
        guard !tools.isEmpty, case let .dictionary(body)? = try? TemplateValue.parseJSON(text),
              case let .array(entries)? = body["tools"], entries.count == tools.count else { return }
        for (index, entry) in entries.enumerated() {
            guard case let .dictionary(tool) = entry, case let .dictionary(function)? = tool["function"],
                  let parameters = function["parameters"], case .dictionary = parameters else { continue }
            tools[index].definition.parameters = parameters.jsonText
        }
    }

    /// The choice in effect: the requested one, or OpenAI's default.
    var effectiveChoice: Choice { choice ?? (tools.isEmpty ? .none : .auto) }

    /// Whether the request may end in tool calls.
    var mayCall: Bool { !tools.isEmpty && effectiveChoice != .none }

    private static func tool(_ entry: JSONValue, param: String) throws -> Tool {
        guard case .string("function")? = entry["type"] else {
            throw APIError.invalidParameter("\(param): only tools of type 'function' are supported", param: param + ".type")
        }
        guard let function = entry["function"], case let .string(name)? = function["name"] else {
            throw APIError.invalidParameter("\(param): a function tool needs 'function.name'", param: param + ".function.name")
        }
        guard (1...64).contains(name.count),
              name.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || $0 == "_" || $0 == "-" })
        else {
            throw APIError.invalidParameter("\(param): function names are 1 to 64 characters from a-z, A-Z, 0-9, '_' and '-'",
                                            param: param + ".function.name")
        }
        var description: String?
        if case let .string(text)? = function["description"] { description = text }
        var parameters: String?
        switch function["parameters"] {
        case nil, .null?: parameters = nil
        case let .object(object)?: parameters = JSONValue.object(object).jsonText
        default:
            throw APIError.invalidParameter("\(param): 'function.parameters' must be a JSON Schema object", param: param + ".function.parameters")
        }
        var strict = false
        if case .bool(true)? = function["strict"] { strict = true }
        return Tool(definition: ToolDefinition(name: name, description: description, parameters: parameters), strict: strict)
    }

    private static func choice(_ value: JSONValue, names: Set<String>) throws -> Choice {
        switch value {
        case .string("none"): return .none
        case .string("auto"): return .auto
        case .string("required"): return .required
        case .object:
            guard case .string("function")? = value["type"], case let .string(name)? = value["function"]?["name"] else {
                throw APIError.invalidParameter("tool_choice must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": …}}",
                                                param: "tool_choice")
            }
            guard names.contains(name) else {
                throw APIError.invalidParameter("tool_choice names the function '\(name)', which is not in 'tools'", param: "tool_choice")
            }
            return .function(name)
        default:
            throw APIError.invalidParameter("tool_choice must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": …}}",
                                            param: "tool_choice")
        }
    }
}

/// A tool call in a message: `{"id", "type": "function", "function": {"name", "arguments"}}`; `arguments` is JSON text.
struct ToolCallObject: Codable, Sendable {
    struct Function: Codable, Sendable {
        var name: String
        var arguments: String

        enum CodingKeys: String, CodingKey { case name, arguments }
    }

    var id: String
    var type = "function"
    var function: Function

    init(id: String, name: String, arguments: String) {
        self.id = id
        self.function = Function(name: name, arguments: arguments)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? "function"
        let f = try c.nestedContainer(keyedBy: Function.CodingKeys.self, forKey: .function)
        let name = try f.decode(String.self, forKey: .name)
        // OpenAI sends arguments as JSON text; some clients send the object itself.
        let arguments: String
        if let text = try? f.decode(String.self, forKey: .arguments) {
            arguments = text
        } else if let object = try f.decodeIfPresent(JSONValue.self, forKey: .arguments) {
            arguments = object.jsonText
        } else {
            arguments = "{}"
        }
        function = Function(name: name, arguments: arguments)
    }

    enum CodingKeys: String, CodingKey { case id, type, function }
}

/// One entry of a chunk's `delta.tool_calls`: the call's index among the message's calls, with its id, type and name
/// on the first chunk of a call and its arguments after.
struct ToolCallDelta: Encodable, Sendable {
    struct Function: Encodable, Sendable {
        var name: String?
        var arguments: String?
    }

    var index: Int
    var id: String?
    var type: String?
    var function: Function
}
