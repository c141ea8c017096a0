/// Why a training configuration cannot be used; each reads as one line naming the key and, from a YAML file,
/// its line.
public enum TrainingConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The text is not valid YAML.
    case syntax(message: String, line: Int?, column: Int?)
    /// A key the configuration does not know; `suggestion` is the closest known key.
    case unknownKey(key: String, line: Int?, suggestion: String?)
    /// Two spellings of one setting (`lr` and `learning_rate`) in the same file.
    case duplicateKey(key: String, line: Int?, previous: String, previousLine: Int?)
    /// A value of the wrong type or out of range.
    case invalid(key: String, message: String, line: Int?)

    public var description: String {
        func at(_ line: Int?) -> String { line.map { "line \($0): " } ?? "" }
        switch self {
        case let .unreadable(path, reason):
            return "cannot read training configuration '\(path)': \(reason)"
        case let .syntax(message, line, column):
            let place = line.map { l in "line \(l)" + (column.map { ", column \($0)" } ?? "") + ": " } ?? ""
            return "invalid YAML: \(place)\(message)"
        case let .unknownKey(key, line, suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" }
                ?? " (known: \(TrainingConfiguration.Key.allCases.map(\.rawValue).joined(separator: ", ")))"
            return "training configuration \(at(line))unknown key '\(key)'\(hint)"
        case let .duplicateKey(key, line, previous, previousLine):
            let other = previousLine.map { " on line \($0)" } ?? ""
            return "training configuration \(at(line))'\(key)' sets the same setting as '\(previous)'\(other)"
        case let .invalid(key, message, line):
            return "training configuration \(at(line))'\(key)' \(message)"
        }
    }

    /// The YAML line the error points at, if any.
    public var line: Int? {
        switch self {
        case .unreadable: return nil
        case let .syntax(_, line, _), let .unknownKey(_, line, _), let .duplicateKey(_, line, _, _), let .invalid(_, _, line): return line
        }
    }
}
