/// Why a configuration file could not be used; each reads as one line naming the key and line.
public enum ServerConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The text is not valid YAML.
    case syntax(message: String, line: Int?, column: Int?)
    /// A key has a value of the wrong type or out of range.
    case invalid(key: String, message: String, line: Int?)
    /// A key the configuration does not know (usually a typo).
    case unknownKey(key: String, line: Int?, known: [String])

    public var description: String {
        func at(_ line: Int?) -> String { line.map { "line \($0): " } ?? "" }
        switch self {
        case let .unreadable(path, reason):
            return "cannot read configuration '\(path)': \(reason)"
        case let .syntax(message, line, column):
            let place = line.map { l in "line \(l)" + (column.map { ", column \($0)" } ?? "") + ": " } ?? ""
            return "invalid YAML: \(place)\(message)"
        case let .invalid(key, message, line):
            return "configuration \(at(line))'\(key)' \(message)"
        case let .unknownKey(key, line, known):
            return "configuration \(at(line))unknown key '\(key)' (known: \(known.joined(separator: ", ")))"
        }
    }
}
