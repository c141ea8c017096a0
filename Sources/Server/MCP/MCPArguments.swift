import MCP

/// A tool call's `arguments`, read with checks: a missing required argument or a value of the wrong type is an
/// `MCPError.invalidParams` naming it (a JSON-RPC error -32602 for the client, never a crash).
struct MCPArguments: Sendable {
    let tool: String
    let values: [String: Value]

    init(tool: String, _ values: [String: Value]?) {
        self.tool = tool
        self.values = values ?? [:]
    }

    /// Rejects arguments the tool does not take.
    func allow(only names: Set<String>) throws(MCPError) {
        if let unknown = values.keys.sorted().first(where: { !names.contains($0) }) {
            throw invalid("unknown argument '\(unknown)'; \(tool) takes \(names.sorted().joined(separator: ", "))")
        }
    }

    func invalid(_ message: String) -> MCPError { .invalidParams("\(tool): \(message)") }

    func has(_ name: String) -> Bool {
        guard let value = values[name] else { return false }
        return !value.isNull
    }

    func string(_ name: String) throws(MCPError) -> String? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let string = value.stringValue else { throw invalid("'\(name)' must be a string") }
        return string
    }

    func requiredString(_ name: String) throws(MCPError) -> String {
        guard let string = try string(name) else { throw invalid("'\(name)' is required") }
        return string
    }

    func int(_ name: String) throws(MCPError) -> Int? {
        guard let value = values[name], !value.isNull else { return nil }
        if let int = value.intValue { return int }
        if let double = value.doubleValue, double.rounded() == double, abs(double) < 1e15 { return Int(double) }
        throw invalid("'\(name)' must be an integer")
    }

    func number(_ name: String) throws(MCPError) -> Double? {
        guard let value = values[name], !value.isNull else { return nil }
        if let double = value.doubleValue { return double }
        if let int = value.intValue { return Double(int) }
        throw invalid("'\(name)' must be a number")
    }

    /// An array of strings; a single string counts as an array of one.
    func strings(_ name: String) throws(MCPError) -> [String]? {
        guard let value = values[name], !value.isNull else { return nil }
        if let string = value.stringValue { return [string] }
        guard let array = value.arrayValue else { throw invalid("'\(name)' must be an array of strings") }
        var strings: [String] = []
        for item in array {
            guard let string = item.stringValue else { throw invalid("'\(name)' must be an array of strings") }
            strings.append(string)
        }
        return strings
    }

    func array(_ name: String) throws(MCPError) -> [Value]? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let array = value.arrayValue else { throw invalid("'\(name)' must be an array") }
        return array
    }
}
