import Foundation
import Yams

extension TrainingConfiguration {
    /// Reads a YAML file of settings (see ``parse(yaml:base:)``).
    public static func load(path: String, base: TrainingConfiguration = TrainingConfiguration()) throws(TrainingConfigurationError) -> TrainingConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(yaml: text, base: base)
    }

    /// Parses a YAML mapping of settings over `base`: keys are the command-line flag names with dashes or
    /// underscores (`learning-rate`, `learning_rate`, `lr`), values scalars (`targets` also a list). Unknown keys,
    /// two spellings of one setting, values of the wrong type and out-of-range values are refused with the line
    /// they are on. Missing `model`, `data` and `output` are not errors here (flags may supply them): call
    /// ``validate()`` on the final configuration.
    public static func parse(yaml text: String, base: TrainingConfiguration = TrainingConfiguration()) throws(TrainingConfigurationError) -> TrainingConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw .syntax(message: "\(error)", line: nil, column: nil)
        }
        guard let root else { return base }
        guard let mapping = root.mapping else {
            throw .invalid(key: "(document)", message: "must be a mapping of settings to values", line: root.mark?.line)
        }
        var configuration = base
        var seen: [Key: (name: String, line: Int?)] = [:]
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line
            guard let name = keyNode.scalar?.string else {
                throw .invalid(key: "(document)", message: "has a key that is not a plain name", line: line)
            }
            guard let key = Key(name: name) else { throw .unknownKey(key: name, line: line, suggestion: Key.suggestion(for: name)) }
            if let previous = seen[key.setting] {
                throw .duplicateKey(key: name, line: line, previous: previous.name, previousLine: previous.line)
            }
            seen[key.setting] = (name, line)
            let valueLine = valueNode.mark?.line ?? line
            let value: String?
            switch valueNode {
            case let .scalar(scalar):
                value = isNull(scalar) ? nil : scalar.string
            case let .sequence(items):
                guard key == .targets else {
                    throw .invalid(key: name, message: "must be a single value, not a list", line: valueLine)
                }
                var names: [String] = []
                for item in items {
                    guard let scalar = item.scalar, !isNull(scalar) else {
                        throw .invalid(key: name, message: "must be a list of names", line: item.mark?.line ?? valueLine)
                    }
                    names.append(scalar.string)
                }
                value = names.joined(separator: ",")
            case .mapping:
                throw .invalid(key: name, message: "must be a single value, not a mapping", line: valueLine)
            }
            do throws(TrainingConfigurationError) {
                try configuration.set(name, to: value)
            } catch {
                if case let .invalid(key, message, nil) = error { throw .invalid(key: key, message: message, line: valueLine) }
                throw error
            }
        }
        if let (key, message) = configuration.problem(requireLocations: false) {
            let place = seen[key.setting]
            throw .invalid(key: place?.name ?? key.rawValue, message: message, line: place?.line)
        }
        return configuration
    }

    /// A plain `~`, `null` or empty scalar (a quoted "null" is the string).
    private static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private static func syntaxError(_ error: YamlError) -> TrainingConfigurationError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return .syntax(message: prefix + problem, line: mark.line, column: mark.column)
        default:
            return .syntax(message: "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable", line: nil, column: nil)
        }
    }
}
