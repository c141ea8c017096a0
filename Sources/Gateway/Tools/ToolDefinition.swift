import Tokenizers

/// A function a model may call: its name, what it does and its parameters as a JSON Schema (JSON text).
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// The parameters' JSON Schema as JSON text; nil: the function takes no declared parameters.
    public var parameters: String?

    public init(name: String, description: String? = nil, parameters: String? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// The definition as chat templates receive it (OpenAI's shape: `{"type": "function", "function": {…}}`).
    public var templateValue: TemplateValue {
        var function = TemplateDictionary()
        function["name"] = .string(name)
        if let description { function["description"] = .string(description) }
        if let parameters { function["parameters"] = (try? TemplateValue.parseJSON(parameters)) ?? .string(parameters) }
        return .object(["type": .string("function"), "function": .dictionary(function)])
    }

    /// The JSON Schema a call to one of `tools` must satisfy: `{"name": <one of the names>, "arguments": <that
    /// function's parameters>}`. `arguments` overrides a function's parameter schema (e.g. any object, for one the
    /// decoder cannot enforce).
    public static func callSchema(_ tools: [ToolDefinition], arguments: [String: String] = [:]) -> String {
        let alternatives = tools.map { tool in
            let parameters = arguments[tool.name] ?? tool.parameters ?? #"{"type": "object"}"#
            return #"{"type": "object", "properties": {"name": {"const": \#(TemplateValue.string(tool.name).jsonText)}, "#
                + #""arguments": \#(parameters)}, "required": ["name", "arguments"], "additionalProperties": false}"#
        }
        return alternatives.count == 1 ? alternatives[0] : #"{"anyOf": [\#(alternatives.joined(separator: ", "))]}"#
    }
}
