import Foundation

/// The strict schema check for training files: OpenAI chat JSONL (also what an MLX-LM folder holds), ShareGPT
/// and Alpaca JSONL. Every bad line is reported with its number and the first reason found on it.
public struct DatasetValidator: Sendable {
    /// One bad line (line 0: the file itself).
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String
        public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
    }

    /// What a validation found.
    public struct Result: Sendable, Equatable {
        public var lines = 0
        public var problems: [Problem] = []
        /// The format detected per file path.
        public var formats: [String: DatasetFormat] = [:]
        /// Lines of each file read (a folder has several).
        public var linesByFile: [String: Int] = [:]
        public var badLines: Int { Set(problems.map { "\($0.file):\($0.line)" }).count }
        public var isValid: Bool { problems.isEmpty }
        /// `N lines, M bad`.
        public var summary: String { "\(lines) lines, \(badLines) bad" }
    }

    public init() {}

    /// Validates a JSONL file, or a folder: an MLX-LM folder needs `train.jsonl` (non-empty) and `valid.jsonl`;
    /// `test.jsonl` is checked when present (MLX-LM only reads it for `--test`, and an 80/20 split has none).
    /// `makeProgress` makes the `validate` progress reporter of each file.
    public func validate(path: URL, makeProgress: ProgressReporter.Factory? = nil) throws -> Result {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw ImportError.unreadable(path: path.path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return try validate(file: path, makeProgress: makeProgress) }
        var result = Result()
        for name in ["train", "valid", "test"] {
            let file = path.appendingPathComponent("\(name).jsonl")
            guard FileManager.default.fileExists(atPath: file.path) else {
                if name != "test" { result.problems.append(Problem(file: file.path, line: 0, reason: "missing (an MLX-LM folder needs train.jsonl and valid.jsonl)")) }
                continue
            }
            let one = try validate(file: file, makeProgress: makeProgress)
            result.lines += one.lines
            result.problems += one.problems
            result.formats.merge(one.formats) { a, _ in a }
            result.linesByFile.merge(one.linesByFile) { a, _ in a }
            if name == "train", one.lines == 0 { result.problems.append(Problem(file: file.path, line: 0, reason: "empty (train.jsonl needs at least one example)")) }
        }
        return result
    }

    /// Validates one JSONL file; its format is detected from its first parseable line. Blank lines between
    /// records are errors; blank lines at the end are not.
    public func validate(file: URL, makeProgress: ProgressReporter.Factory? = nil) throws -> Result {
        let reader = try JSONLLineReader(url: file)
        var result = Result()
        var format: DatasetFormat?
        var pendingBlanks: [Int] = []   // blank lines are reported once a record follows them (trailing ones are fine)
        reader.forEachLine(progress: makeProgress?("validate", Int64(reader.byteCount), "lines")) { line in
            result.lines += 1
            if line.isBlank {
                pendingBlanks.append(line.number)
                return
            }
            for blank in pendingBlanks { result.problems.append(Problem(file: file.path, line: blank, reason: "empty line")) }
            pendingBlanks.removeAll()
            guard let object = try? JSONSerialization.jsonObject(with: line.data, options: [.fragmentsAllowed]) else {
                result.problems.append(Problem(file: file.path, line: line.number, reason: "invalid JSON"))
                return
            }
            guard let dictionary = object as? [String: Any] else {
                result.problems.append(Problem(file: file.path, line: line.number, reason: "not a JSON object"))
                return
            }
            let detected = format ?? Self.detectFormat(dictionary)
            format = detected
            if let reason = Self.problem(in: dictionary, as: detected) {
                result.problems.append(Problem(file: file.path, line: line.number, reason: reason))
            }
        }
        if let format { result.formats[file.path] = format }
        result.linesByFile[file.path] = result.lines
        return result
    }

    static func detectFormat(_ object: [String: Any]) -> DatasetFormat {
        if object["conversations"] != nil { return .sharegpt }
        if object["instruction"] != nil || object["output"] != nil { return .alpaca }
        return .openai
    }

    /// The first problem of one record in `format`, or nil when it is valid.
    public static func problem(in object: [String: Any], as format: DatasetFormat) -> String? {
        switch format {
        case .openai, .mlx: return openAIProblem(object)
        case .sharegpt: return shareGPTProblem(object)
        case .alpaca: return alpacaProblem(object)
        }
    }

    /// Only `messages`: the tool-calling extras (`tools`, assistant `tool_calls`, `tool_call_id`) need
    /// non-string contents that this pipeline neither writes nor accepts.
    static let openAITopKeys: Set<String> = ["messages"]

    static func openAIProblem(_ object: [String: Any]) -> String? {
        if let extra = object.keys.sorted().first(where: { !openAITopKeys.contains($0) }) { return "unexpected key '\(extra)'" }
        guard let raw = object["messages"] else { return "missing \"messages\"" }
        guard let messages = raw as? [Any] else { return "\"messages\" is not an array" }
        guard !messages.isEmpty else { return "\"messages\" is empty" }
        var roles: [String] = []
        for (i, item) in messages.enumerated() {
            let n = i + 1
            guard let message = item as? [String: Any] else { return "message \(n) is not an object" }
            guard let role = message["role"] as? String else { return "message \(n): missing or non-string \"role\"" }
            guard ["system", "user", "assistant", "tool"].contains(role) else { return "message \(n): role '\(role)' is not system, user, assistant or tool" }
            var allowed: Set<String> = ["role", "content"]
            switch role {
            case "assistant": allowed.formUnion(["name", "weight"])
            case "tool": break
            default: allowed.insert("name")
            }
            if let extra = message.keys.sorted().first(where: { !allowed.contains($0) }) { return "message \(n) (\(role)): unexpected key '\(extra)'" }
            guard let content = message["content"] else { return "message \(n) (\(role)): missing \"content\"" }
            guard let text = content as? String else { return "message \(n) (\(role)): \"content\" is not a string" }
            if role == "user" || role == "assistant", text.allSatisfy(\.isWhitespace) { return "message \(n) (\(role)): empty content" }
            if let name = message["name"], !(name is String) { return "message \(n) (\(role)): \"name\" is not a string" }
            if let weight = message["weight"] {
                guard let number = weight as? NSNumber, [0, 1].contains(number.doubleValue) else {
                    return "message \(n) (\(role)): \"weight\" must be 0 or 1"
                }
            }
            if role == "system", i > 0 { return "message \(n): system message after the first position" }
            roles.append(role)
        }
        if !roles.contains("user") { return "no user message" }
        if !roles.contains("assistant") { return "no assistant message" }
        if roles.last != "assistant" { return "does not end with an assistant message" }
        return nil
    }

    static func shareGPTProblem(_ object: [String: Any]) -> String? {
        if let extra = object.keys.sorted().first(where: { !["conversations", "system", "tools"].contains($0) }) { return "unexpected key '\(extra)'" }
        guard let items = object["conversations"] as? [Any] else { return "\"conversations\" is not an array" }
        guard !items.isEmpty else { return "\"conversations\" is empty" }
        var froms: [String] = []
        for (i, item) in items.enumerated() {
            let n = i + 1
            guard let turn = item as? [String: Any] else { return "turn \(n) is not an object" }
            if let extra = turn.keys.sorted().first(where: { !["from", "value", "weight"].contains($0) }) { return "turn \(n): unexpected key '\(extra)'" }
            guard let from = turn["from"] as? String else { return "turn \(n): missing or non-string \"from\"" }
            guard ["system", "human", "gpt", "tool"].contains(from) else { return "turn \(n): from '\(from)' is not system, human, gpt or tool" }
            guard let value = turn["value"] as? String else { return "turn \(n) (\(from)): \"value\" is missing or not a string" }
            if from == "human" || from == "gpt", value.allSatisfy(\.isWhitespace) { return "turn \(n) (\(from)): empty value" }
            if from == "system", i > 0 { return "turn \(n): system turn after the first position" }
            froms.append(from)
        }
        if !froms.contains("human") { return "no human turn" }
        if !froms.contains("gpt") { return "no gpt turn" }
        if froms.last != "gpt" { return "does not end with a gpt turn" }
        return nil
    }

    static func alpacaProblem(_ object: [String: Any]) -> String? {
        if let extra = object.keys.sorted().first(where: { !["instruction", "input", "output", "system", "history"].contains($0) }) { return "unexpected key '\(extra)'" }
        for key in ["instruction", "output"] {
            guard let value = object[key] else { return "missing \"\(key)\"" }
            guard let text = value as? String else { return "\"\(key)\" is not a string" }
            if text.allSatisfy(\.isWhitespace) { return "empty \"\(key)\"" }
        }
        for key in ["input", "system"] where object[key] != nil && !(object[key] is String) { return "\"\(key)\" is not a string" }
        if let history = object["history"] {
            guard let pairs = history as? [Any] else { return "\"history\" is not an array" }
            for (i, pair) in pairs.enumerated() {
                guard let two = pair as? [Any], two.count == 2, two.allSatisfy({ $0 is String }) else {
                    return "history entry \(i + 1) is not a [instruction, output] pair of strings"
                }
            }
        }
        return nil
    }
}
