import Foundation

extension Grader {
    /// Whether `answer` is correct. `python` graders run in `sandbox`.
    public func grade(_ answer: String, sandbox: PythonSandbox) async -> Bool {
        guard Self.templateToken(in: answer) == nil else { return false }
        if case let .python(_, tests) = self {
            return await sandbox.passes(code: Self.code(in: answer), tests: tests)
        }
        return gradeText(answer)
    }

    /// Every grader but `python`, which needs the sandbox (false for it here).
    public func gradeText(_ answer: String) -> Bool {
        guard Self.templateToken(in: answer) == nil else { return false }
        let lower = answer.lowercased()
        switch self {
        case let .contains(any, all, none):
            return (any.isEmpty || any.contains { lower.contains($0.lowercased()) })
                && all.allSatisfy { lower.contains($0.lowercased()) }
                && !none.contains { lower.contains($0.lowercased()) }
        case let .number(value, tolerance):
            guard let last = Self.lastNumber(in: answer) else { return false }
            return abs(last - value) <= tolerance
        case let .option(answer: expected):
            return Self.chosenOption(in: answer) == expected
        case let .regex(pattern, caseInsensitive, full):
            let text = full ? answer.trimmingCharacters(in: .whitespacesAndNewlines) : answer
            let p = full ? "^(?:\(pattern))$" : pattern
            guard let regex = try? NSRegularExpression(pattern: p, options: caseInsensitive ? [.caseInsensitive] : []) else { return false }
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        case let .json(keys):
            guard let object = Self.firstJSONObject(in: answer) else { return false }
            return keys.allSatisfy { key, expected in
                guard let value = object[key] else { return false }
                return Self.matches(value, expected)
            }
        case .python:
            return false
        case let .reply(any):
            let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
            return !trimmed.isEmpty && trimmed.count <= 600 && (any.isEmpty || any.contains { lower.contains($0.lowercased()) })
        }
    }

    /// The last number written in `text`: optional minus, digits with optional `,` thousands groups, decimals.
    static func lastNumber(in text: String) -> Double? {
        let regex = try! NSRegularExpression(pattern: #"-?\d+(?:,\d{3})*(?:\.\d+)?"#)
        let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
        guard let last = matches.last, let range = Range(last.range, in: text) else { return nil }
        return Double(text[range].replacingOccurrences(of: ",", with: ""))
    }

    /// The option letter an answer chooses: after "answer is" / "answer:", else a leading letter, else a letter
    /// in parentheses or followed by `)` or `.`, else the first standalone capital A–E.
    static func chosenOption(in text: String) -> String? {
        let patterns = [#"(?i:answer)(?:\s+is)?\s*[:\-]?\s*\(?\**([A-E])\b"#, #"^\W*([A-E])\b"#, #"\(([A-E])\)"#,
                        #"\b([A-E])[).:]"#, #"\b([A-E])\b"#]
        for pattern in patterns {
            let regex = try! NSRegularExpression(pattern: pattern)
            if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
               let range = Range(match.range(at: 1), in: text) {
                return String(text[range])
            }
        }
        return nil
    }

    /// The first `{…}` of `text` that parses as a JSON object (strings and escapes respected while matching braces).
    static func firstJSONObject(in text: String) -> [String: Any]? {
        let bytes = Array(text.utf8)
        var start = bytes.firstIndex(of: UInt8(ascii: "{"))
        while let s = start {
            var depth = 0, inString = false, escaped = false
            for i in s..<bytes.count {
                let b = bytes[i]
                if inString {
                    if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                if b == UInt8(ascii: "\"") { inString = true }
                else if b == UInt8(ascii: "{") { depth += 1 }
                else if b == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 {
                        if let object = try? JSONSerialization.jsonObject(with: Data(bytes[s...i])) as? [String: Any] { return object }
                        break
                    }
                }
            }
            start = bytes[(s + 1)...].firstIndex(of: UInt8(ascii: "{"))
        }
        return nil
    }

    static func matches(_ value: Any, _ expected: ExpectedValue) -> Bool {
        switch expected {
        case .any:
            return true
        case let .string(s):
            let norm = { (t: String) in t.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
            if let v = value as? String { return norm(v) == norm(s) }
            if let n = value as? NSNumber, let d = Double(s) { return n.doubleValue == d }
            return false
        case let .number(n):
            if let v = value as? NSNumber, String(cString: v.objCType) != "c" { return abs(v.doubleValue - n) < 1e-9 }
            if let v = value as? String, let d = Double(v.trimmingCharacters(in: .whitespaces)) { return abs(d - n) < 1e-9 }
            return false
        case let .bool(b):
            return (value as? Bool) == b
        }
    }

    /// The code of an answer: its first fenced block (```python … ``` or ``` … ```), else all of it.
    static func code(in answer: String) -> String {
        guard let open = answer.range(of: "```") else { return answer }
        var rest = answer[open.upperBound...]
        if let newline = rest.firstIndex(of: "\n") { rest = rest[rest.index(after: newline)...] } else { return answer }
        guard let close = rest.range(of: "```") else { return String(rest) }   // cut off at max_tokens: keep what came
        return String(rest[..<close.lowerBound])
    }
}
