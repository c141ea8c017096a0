import Foundation

/// A JSON Schema compiled for constrained decoding: a table of nodes (`$ref`s resolved to indices, so
/// recursive schemas work) that ``JSONMatcher`` walks byte by byte.
///
/// Supported: `type` (one or a list), `properties`, `required`, `additionalProperties` (false, true or a schema),
/// `items`, `minItems`, `maxItems`, `enum`, `const`, `anyOf` (and `oneOf`, enforced as `anyOf`: exclusivity is not
/// checked), `minLength`, `maxLength`, `format` (on strings: those of ``StringFormat``; on numbers: `int32`, `int64`,
/// `float`, `double`), `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, local `$ref`
/// into `$defs` / `definitions`, and annotations (`title`, `description`, `default`, `examples`, `$schema`, `$id`,
/// `$comment`). Any other keyword is refused with ``JSONSchemaError/unsupported(keyword:path:)``: a constraint the
/// decoder cannot enforce is never silently dropped.
public final class JSONSchemaGrammar: Sendable {
    /// What a value must be.
    public enum Node: Sendable, Equatable {
        /// Any JSON value.
        case any
        /// An object; `additional` is the node of properties not listed (nil: none allowed).
        case object(properties: [Property], required: [String], additional: Int?)
        case array(items: Int, minItems: Int, maxItems: Int?)
        /// A string of `minLength...maxLength` characters (Unicode scalars; an escape counts as one).
        case string(minLength: Int, maxLength: Int?)
        /// A string in a `format` (`date`, `uuid`, …; see ``StringFormat``).
        case formatted(StringFormat)
        case number(NumberBounds)
        case boolean
        case null
        /// Exactly one of these JSON texts (serialized compactly): `enum` and `const`.
        case literals([[UInt8]])
        case anyOf([Int])
        /// Nothing is valid (`false`, an empty `enum`).
        case never
    }

    public struct Property: Sendable, Equatable {
        public let name: String
        /// The name as it appears between the quotes of a JSON key (escaped).
        public let key: [UInt8]
        public let node: Int
    }

    /// `integer` and the numeric range keywords.
    public struct NumberBounds: Sendable, Equatable {
        public var integer = false
        public var minimum: Double?
        public var maximum: Double?
        public var exclusiveMinimum = false
        public var exclusiveMaximum = false

        /// Whether `value` is in range.
        public func contains(_ value: Double) -> Bool {
            if let minimum, exclusiveMinimum ? value <= minimum : value < minimum { return false }
            if let maximum, exclusiveMaximum ? value >= maximum : value > maximum { return false }
            return true
        }
    }

    /// Nodes by index; the root is node 0. The compiled schema is followed by the nodes `any` values expand to.
    public let nodes: [Node]
    /// Indices of the helper nodes: any value, any object, any array, any string, any number, `true`/`false`, `null`.
    let anyNode: Int32, anyObjectNode: Int32, anyArrayNode: Int32, anyStringNode: Int32, anyNumberNode: Int32
    let booleanNode: Int32, nullNode: Int32

    init(nodes compiled: [Node]) {
        var nodes = compiled
        let base = Int32(nodes.count)
        (anyNode, anyObjectNode, anyArrayNode, anyStringNode) = (base, base + 1, base + 2, base + 3)
        (anyNumberNode, booleanNode, nullNode) = (base + 4, base + 5, base + 6)
        nodes += [.any, .object(properties: [], required: [], additional: Int(base)), .array(items: Int(base), minItems: 0, maxItems: nil),
                  .string(minLength: 0, maxLength: nil), .number(NumberBounds()),
                  .literals([Array("true".utf8), Array("false".utf8)]), .literals([Array("null".utf8)])]
        self.nodes = nodes
    }

    /// Any JSON object (`response_format: json_object`).
    public static let anyObject = JSONSchemaGrammar(nodes: [.object(properties: [], required: [], additional: 1), .any])

    /// Compiles a schema given as JSON text. With `closedObjects`, an object schema that lists `properties` without
    /// saying `additionalProperties` admits only those keys (what a tool's parameters mean in practice; small models
    /// otherwise invent keys such as `"minimum"`).
    public convenience init(schemaJSON: String, closedObjects: Bool = false) throws(JSONSchemaError) {
        let value: SchemaValue
        do {
            value = try JSONDecoder().decode(SchemaValue.self, from: Data(schemaJSON.utf8))
        } catch {
            throw .invalid(path: "", message: "the schema is not valid JSON")
        }
        try self.init(schema: value, closedObjects: closedObjects)
    }

    /// Compiles a decoded schema (see ``init(schemaJSON:closedObjects:)``).
    public convenience init(schema: SchemaValue, closedObjects: Bool = false) throws(JSONSchemaError) {
        var compiler = JSONSchemaCompiler(root: schema, closedObjects: closedObjects)
        let nodes = try compiler.compile()
        self.init(nodes: nodes)
    }
}

/// Why a schema cannot be enforced.
public enum JSONSchemaError: Error, Equatable, CustomStringConvertible {
    /// A keyword the decoder does not enforce, at a JSON-pointer-like path.
    case unsupported(keyword: String, path: String)
    case invalid(path: String, message: String)

    public var description: String {
        switch self {
        case let .unsupported(keyword, path):
            return "the JSON schema keyword '\(keyword)' (at \(path.isEmpty ? "the root" : path)) is not supported by constrained decoding"
        case let .invalid(path, message):
            return "invalid JSON schema at \(path.isEmpty ? "the root" : path): \(message)"
        }
    }
}
