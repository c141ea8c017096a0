import Foundation

/// How an answer is graded (the `grader` object of a graded prompt; `type` picks the case). Every grader first
/// rejects an answer that carries chat-template tokens (``Grader/templateTokens``).
public enum Grader: Sendable, Equatable {
    /// `contains`: some string of `any` appears (case-insensitive), every one of `all`, none of `none`.
    case contains(any: [String], all: [String], none: [String])
    /// `number`: the last number of the answer (thousands separators dropped) is `value` within `tolerance`.
    case number(value: Double, tolerance: Double)
    /// `option`: the chosen letter (A–E) is `answer`.
    case option(answer: String)
    /// `regex`: `pattern` matches the trimmed answer (`match: full`) or somewhere in it (`search`); `flags: "i"`.
    case regex(pattern: String, caseInsensitive: Bool, full: Bool)
    /// `json`: the answer's first JSON object has every key; a non-null expected value must equal the parsed one
    /// (strings case-insensitively after trimming, numbers numerically).
    case json(keys: [String: ExpectedValue])
    /// `python`: the answer's code (its first fenced block, else all of it) followed by `tests` exits 0 in a
    /// sandboxed `python3` within the time limit.
    case python(entryPoint: String, tests: String)
    /// `reply`: a conversational answer: non-empty, at most 600 characters, and containing one of `any` if given.
    case reply(any: [String])

    /// A value a `json` grader expects.
    public enum ExpectedValue: Sendable, Equatable, Decodable {
        case any
        case string(String)
        case number(Double)
        case bool(Bool)

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .any }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else { self = .string(try c.decode(String.self)) }
        }
    }

    /// Chat-template markers that must never reach an answer.
    public static let templateTokens = ["<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>", "<|endoftext|>",
                                        "<|eot_id|>", "<|start_header_id|>"]

    /// The template token `text` carries, if any.
    public static func templateToken(in text: String) -> String? { templateTokens.first { text.contains($0) } }

    /// The grader's `type`.
    public var type: String {
        switch self {
        case .contains: "contains"
        case .number: "number"
        case .option: "option"
        case .regex: "regex"
        case .json: "json"
        case .python: "python"
        case .reply: "reply"
        }
    }
}

extension Grader: Decodable {
    enum CodingKeys: String, CodingKey {
        case type, any, all, none, value, tolerance, answer, pattern, flags, match, keys, tests
        case entryPoint = "entry_point"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "contains":
            self = .contains(any: try c.decodeIfPresent([String].self, forKey: .any) ?? [],
                             all: try c.decodeIfPresent([String].self, forKey: .all) ?? [],
                             none: try c.decodeIfPresent([String].self, forKey: .none) ?? [])
            if case .contains([], [], _) = self {
                throw DecodingError.dataCorruptedError(forKey: .any, in: c, debugDescription: "a contains grader needs 'any' or 'all'")
            }
        case "number":
            self = .number(value: try c.decode(Double.self, forKey: .value),
                           tolerance: try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? 1e-6)
        case "option":
            let answer = try c.decode(String.self, forKey: .answer).uppercased()
            guard answer.count == 1, "ABCDE".contains(answer) else {
                throw DecodingError.dataCorruptedError(forKey: .answer, in: c, debugDescription: "must be one letter A–E")
            }
            self = .option(answer: answer)
        case "regex":
            let pattern = try c.decode(String.self, forKey: .pattern)
            guard (try? NSRegularExpression(pattern: pattern)) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .pattern, in: c, debugDescription: "not a valid regular expression")
            }
            let flags = try c.decodeIfPresent(String.self, forKey: .flags) ?? ""
            let match = try c.decodeIfPresent(String.self, forKey: .match) ?? "search"
            guard match == "full" || match == "search" else {
                throw DecodingError.dataCorruptedError(forKey: .match, in: c, debugDescription: "must be 'full' or 'search'")
            }
            self = .regex(pattern: pattern, caseInsensitive: flags.contains("i"), full: match == "full")
        case "json":
            self = .json(keys: try c.decode([String: ExpectedValue].self, forKey: .keys))
        case "python":
            self = .python(entryPoint: try c.decode(String.self, forKey: .entryPoint), tests: try c.decode(String.self, forKey: .tests))
        case "reply":
            self = .reply(any: try c.decodeIfPresent([String].self, forKey: .any) ?? [])
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "unknown grader type '\(type)' (expected contains, number, option, regex, json, python or reply)")
        }
    }
}

extension Grader: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case let .contains(any, all, none):
            try c.encode(any, forKey: .any)
            if !all.isEmpty { try c.encode(all, forKey: .all) }
            if !none.isEmpty { try c.encode(none, forKey: .none) }
        case let .number(value, tolerance):
            try c.encode(value, forKey: .value)
            try c.encode(tolerance, forKey: .tolerance)
        case let .option(answer):
            try c.encode(answer, forKey: .answer)
        case let .regex(pattern, caseInsensitive, full):
            try c.encode(pattern, forKey: .pattern)
            try c.encode(caseInsensitive ? "i" : "", forKey: .flags)
            try c.encode(full ? "full" : "search", forKey: .match)
        case let .json(keys):
            var nested = c.nestedContainer(keyedBy: AnyKey.self, forKey: .keys)
            for (key, value) in keys.sorted(by: { $0.key < $1.key }) {
                let k = AnyKey(key)
                switch value {
                case .any: try nested.encodeNil(forKey: k)
                case let .string(s): try nested.encode(s, forKey: k)
                case let .number(n): try nested.encode(n, forKey: k)
                case let .bool(b): try nested.encode(b, forKey: k)
                }
            }
        case let .python(entryPoint, tests):
            try c.encode(entryPoint, forKey: .entryPoint)
            try c.encode(tests, forKey: .tests)
        case let .reply(any):
            try c.encode(any, forKey: .any)
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
