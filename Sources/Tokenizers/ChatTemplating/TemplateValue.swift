/// A value manipulated by a chat template: the Jinja/Python data model reduced to what templates use.
public enum TemplateValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case none
    case array([TemplateValue])
    case dictionary(TemplateDictionary)
    case namespace(TemplateNamespace)
    /// A missing variable or attribute: renders as empty, is falsy, iterates as empty.
    case undefined

    /// Builds a dictionary value from string keys in the given order.
    public static func object(_ pairs: KeyValuePairs<String, TemplateValue>) -> TemplateValue {
        var d = TemplateDictionary()
        for (k, v) in pairs { d[k] = v }
        return .dictionary(d)
    }

    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case let .string(s): !s.isEmpty
        case let .int(i): i != 0
        case let .double(d): d != 0
        case let .bool(b): b
        case .none, .undefined: false
        case let .array(a): !a.isEmpty
        case let .dictionary(d): !d.isEmpty
        case .namespace: true
        }
    }

    /// Python type name, for error messages.
    var typeName: String {
        switch self {
        case .string: "str"
        case .int: "int"
        case .double: "float"
        case .bool: "bool"
        case .none: "NoneType"
        case .array: "list"
        case .dictionary: "dict"
        case .namespace: "Namespace"
        case .undefined: "Undefined"
        }
    }

    var isUndefined: Bool { if case .undefined = self { true } else { false } }

    /// The bytes a value occupies, shallowly (a list's items count as slots, not their contents), for the
    /// evaluator's work and memory accounting: a string's UTF-8 length, 16 bytes per list slot and 64 per
    /// dictionary entry.
    var approximateSize: Int {
        switch self {
        case let .string(s): s.utf8.count
        case let .array(a): a.count * 16
        case let .dictionary(d): d.count * 64
        default: 0
        }
    }
}

/// An insertion-ordered string-keyed dictionary (Python dicts keep insertion order).
public struct TemplateDictionary: Sendable, Equatable {
    /// Keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    /// Creates an empty dictionary.
    public init() {}

    /// Number of entries.
    public var count: Int { keys.count }
    /// True when there are no entries.
    public var isEmpty: Bool { keys.isEmpty }

    /// Reads or writes an entry; writing `nil` removes it.
    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Entries in insertion order.
    public var entries: [(key: String, value: TemplateValue)] { keys.map { ($0, storage[$0]!) } }

    public static func == (a: TemplateDictionary, b: TemplateDictionary) -> Bool {
        a.storage == b.storage
    }
}

/// The mutable object made by `namespace(...)`: the one way a template can carry state out of a loop.
/// Only ever mutated by the single render that created it.
public final class TemplateNamespace: @unchecked Sendable, Equatable {
    /// The namespace's attributes.
    public var attributes: TemplateDictionary

    /// Creates a namespace with the given attributes.
    public init(_ attributes: TemplateDictionary = TemplateDictionary()) { self.attributes = attributes }

    public static func == (a: TemplateNamespace, b: TemplateNamespace) -> Bool { a === b }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .none }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        var d = TemplateDictionary()
        for (k, v) in elements { d[k] = v }
        self = .dictionary(d)
    }
}
