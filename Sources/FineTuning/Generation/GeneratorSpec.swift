import Foundation
import Yams

/// A synthetic-data spec: categories of templates whose `{slot}` placeholders are filled from value lists.
///
/// ```yaml
/// count: 120            # optional, default 100
/// seed: 7               # optional, default 0
/// slots:                # optional, shared by every category
///   product: [GroupQwen, the gateway]
/// categories:
///   procedural_knowledge:
///     weight: 2         # optional relative share, default 1
///     slots: {task: [restart the server, rotate the logs]}
///     templates:
///       - system: You are a support assistant.     # optional
///         turns:
///           - user: How do I {task} in {product}?
///           - assistant: To {task} in {product}, …
/// ```
/// Turns alternate user/assistant, start with user and end with assistant. `{{` and `}}` are literal braces.
/// Values that belong together are records: a slot whose values are mappings, used as `{slot.field}`
/// (`term: [{name: an error budget, meaning: …}]` → `{term.name} means {term.meaning}`), so one draw fills
/// every field of the same record.
public struct GeneratorSpec: Sendable, Equatable {
    public struct Template: Sendable, Equatable {
        public var system: String?
        /// (role, text) with role `.user` or `.assistant`.
        public var turns: [(role: Conversation.Turn.Role, text: String)]
        /// The slot names the template uses, in first-use order.
        public var slotNames: [String]
        /// `categories.NAME.templates[i]`, for messages.
        public var key: String

        public static func == (a: Template, b: Template) -> Bool {
            a.system == b.system && a.key == b.key && a.slotNames == b.slotNames
                && a.turns.map(\.role) == b.turns.map(\.role) && a.turns.map(\.text) == b.turns.map(\.text)
        }
    }

    public struct Category: Sendable, Equatable {
        public var name: String
        public var weight: Double
        public var templates: [Template]
        /// Shared slots overridden by the category's own. Each value maps a field to its text; a plain value
        /// has the single field "".
        public var slots: [String: [[String: String]]]
    }

    public var count: Int
    public var seed: UInt64
    public var categories: [Category]

    /// Parses and checks a YAML spec; every error names the offending key.
    public init(yaml: String) throws(DatasetError) {
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch {
            throw .invalidSpec(key: "(document)", reason: "not valid YAML: \(error)")
        }
        guard let top = root as? [String: Any] else { throw .invalidSpec(key: "(document)", reason: "must be a mapping with a 'categories' key") }
        for key in top.keys.sorted() where !["count", "seed", "slots", "categories"].contains(key) {
            throw .invalidSpec(key: key, reason: "unknown key (expected count, seed, slots, categories)")
        }
        count = try Self.integer(top["count"], key: "count", default: 100)
        guard count > 0 else { throw .invalidSpec(key: "count", reason: "must be positive") }
        seed = UInt64(try Self.integer(top["seed"], key: "seed", default: 0))
        let shared = try Self.slots(top["slots"], key: "slots")
        guard let rawCategories = top["categories"] else { throw .invalidSpec(key: "categories", reason: "missing") }
        guard let categoryMap = rawCategories as? [String: Any], !categoryMap.isEmpty else {
            throw .invalidSpec(key: "categories", reason: "must be a non-empty mapping of category name to its templates")
        }
        var categories: [Category] = []
        for name in categoryMap.keys.sorted() {
            let key = "categories.\(name)"
            guard let body = categoryMap[name] as? [String: Any] else { throw .invalidSpec(key: key, reason: "must be a mapping with 'templates'") }
            for k in body.keys.sorted() where !["weight", "slots", "templates"].contains(k) {
                throw .invalidSpec(key: "\(key).\(k)", reason: "unknown key (expected weight, slots, templates)")
            }
            let weight = try Self.number(body["weight"], key: "\(key).weight", default: 1)
            guard weight > 0 else { throw .invalidSpec(key: "\(key).weight", reason: "must be positive") }
            let slots = shared.merging(try Self.slots(body["slots"], key: "\(key).slots")) { _, own in own }
            guard let rawTemplates = body["templates"] else { throw .invalidSpec(key: "\(key).templates", reason: "missing") }
            guard let list = rawTemplates as? [Any], !list.isEmpty else { throw .invalidSpec(key: "\(key).templates", reason: "must be a non-empty list") }
            let templates = try list.enumerated().map { (i, item) throws(DatasetError) in
                try Self.template(item, key: "\(key).templates[\(i)]", slots: slots)
            }
            categories.append(Category(name: name, weight: weight, templates: templates, slots: slots))
        }
        self.categories = categories
    }

    static func integer(_ value: Any?, key: String, default fallback: Int) throws(DatasetError) -> Int {
        guard let value else { return fallback }
        guard let n = value as? Int, n >= 0 else { throw .invalidSpec(key: key, reason: "must be a non-negative whole number") }
        return n
    }

    static func number(_ value: Any?, key: String, default fallback: Double) throws(DatasetError) -> Double {
        guard let value else { return fallback }
        if let n = value as? Int { return Double(n) }
        guard let d = value as? Double else { throw .invalidSpec(key: key, reason: "must be a number") }
        return d
    }

    static func scalarText(_ value: Any) -> String? {
        switch value {
        case let s as String: return s
        case let n as Int: return String(n)
        case let d as Double: return String(d)
        case let b as Bool: return String(b)
        default: return nil
        }
    }

    static func slots(_ value: Any?, key: String) throws(DatasetError) -> [String: [[String: String]]] {
        guard let value else { return [:] }
        guard let map = value as? [String: Any] else { throw .invalidSpec(key: key, reason: "must be a mapping of slot name to a list of values") }
        var result: [String: [[String: String]]] = [:]
        for name in map.keys.sorted() {
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .invalidSpec(key: "\(key).\(name)", reason: "slot names use letters, digits and _ only")
            }
            guard let list = map[name] as? [Any], !list.isEmpty else { throw .invalidSpec(key: "\(key).\(name)", reason: "must be a non-empty list of values") }
            var values: [[String: String]] = []
            for (i, item) in list.enumerated() {
                if let text = scalarText(item) {
                    values.append(["": text])
                } else if let record = item as? [String: Any], !record.isEmpty {
                    var fields: [String: String] = [:]
                    for field in record.keys.sorted() {
                        guard let text = record[field].flatMap(scalarText) else {
                            throw .invalidSpec(key: "\(key).\(name)[\(i)].\(field)", reason: "must be a text or number")
                        }
                        fields[field] = text
                    }
                    values.append(fields)
                } else {
                    throw .invalidSpec(key: "\(key).\(name)[\(i)]", reason: "must be a text, a number or a mapping of fields to texts")
                }
            }
            result[name] = values
        }
        return result
    }

    static func template(_ value: Any, key: String, slots: [String: [[String: String]]]) throws(DatasetError) -> Template {
        guard let map = value as? [String: Any] else { throw .invalidSpec(key: key, reason: "must be a mapping with 'turns'") }
        for k in map.keys.sorted() where !["system", "turns"].contains(k) {
            throw .invalidSpec(key: "\(key).\(k)", reason: "unknown key (expected system, turns)")
        }
        var names: [String] = []
        func use(_ text: String, key: String) throws(DatasetError) {
            for placeholder in try placeholders(in: text, key: key) {
                let parts = placeholder.split(separator: ".", maxSplits: 1).map(String.init)
                let name = parts[0], field = parts.count > 1 ? parts[1] : ""
                guard let values = slots[name] else { throw .invalidSpec(key: key, reason: "unknown slot {\(name)}") }
                if let bad = values.firstIndex(where: { $0[field] == nil }) {
                    throw .invalidSpec(key: key, reason: field.isEmpty
                        ? "{\(name)} needs plain values, but value \(bad + 1) of slot '\(name)' is a record (use {\(name).FIELD})"
                        : "{\(placeholder)}: value \(bad + 1) of slot '\(name)' has no field '\(field)'")
                }
                if !names.contains(name) { names.append(name) }
            }
        }
        var system: String?
        if let raw = map["system"] {
            guard let text = raw as? String else { throw .invalidSpec(key: "\(key).system", reason: "must be a text") }
            try use(text, key: "\(key).system")
            system = text
        }
        guard let rawTurns = map["turns"] else { throw .invalidSpec(key: "\(key).turns", reason: "missing") }
        guard let list = rawTurns as? [Any], !list.isEmpty else { throw .invalidSpec(key: "\(key).turns", reason: "must be a non-empty list") }
        var turns: [(role: Conversation.Turn.Role, text: String)] = []
        for (i, item) in list.enumerated() {
            let turnKey = "\(key).turns[\(i)]"
            guard let entry = item as? [String: Any], entry.count == 1, let roleName = entry.keys.first else {
                throw .invalidSpec(key: turnKey, reason: "must be a mapping with exactly one of user or assistant")
            }
            guard let role = ["user": Conversation.Turn.Role.user, "assistant": .assistant][roleName] else {
                throw .invalidSpec(key: "\(turnKey).\(roleName)", reason: "unknown role (expected user or assistant)")
            }
            let expected: Conversation.Turn.Role = i % 2 == 0 ? .user : .assistant
            guard role == expected else { throw .invalidSpec(key: turnKey, reason: "turns must alternate user, assistant, … starting with user") }
            guard let text = entry[roleName].flatMap(scalarText), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .invalidSpec(key: "\(turnKey).\(roleName)", reason: "must be a non-empty text")
            }
            try use(text, key: "\(turnKey).\(roleName)")
            turns.append((role, text))
        }
        guard turns.last?.role == .assistant else { throw .invalidSpec(key: "\(key).turns", reason: "must end with an assistant turn") }
        return Template(system: system, turns: turns, slotNames: names, key: key)
    }

    /// The `{name}` placeholders of a text (`{{`/`}}` are literal braces).
    static func placeholders(in text: String, key: String) throws(DatasetError) -> [String] {
        var names: [String] = []
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c == "{" {
                if chars.first == "{" { chars.removeFirst(); continue }
                guard let close = chars.firstIndex(of: "}") else { throw .invalidSpec(key: key, reason: "unclosed '{' (write {{ for a literal brace)") }
                let name = String(chars[..<close]).trimmingCharacters(in: .whitespaces)
                let parts = name.split(separator: ".", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
                    throw .invalidSpec(key: key, reason: "bad placeholder {\(name)} (a slot name, or slot.field; letters, digits and _)")
                }
                names.append(name)
                chars = chars[chars.index(after: close)...]
            } else if c == "}" {
                if chars.first == "}" { chars.removeFirst() }
            }
        }
        return names
    }

    /// The text with placeholders replaced by `values` (keyed `slot` or `slot.field`; `{{`/`}}` become braces).
    static func fill(_ text: String, _ values: [String: String]) -> String {
        var out = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c == "{" {
                if chars.first == "{" { chars.removeFirst(); out.append("{"); continue }
                let close = chars.firstIndex(of: "}")!
                out += values[String(chars[..<close]).trimmingCharacters(in: .whitespaces)] ?? ""
                chars = chars[chars.index(after: close)...]
            } else if c == "}", chars.first == "}" {
                chars.removeFirst()
                out.append("}")
            } else {
                out.append(c)
            }
        }
        return out
    }
}
