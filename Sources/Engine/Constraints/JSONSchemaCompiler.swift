/// Turns a decoded JSON Schema into ``JSONSchemaGrammar`` nodes.
struct JSONSchemaCompiler {
    typealias Node = JSONSchemaGrammar.Node

    private let root: SchemaValue
    /// An object schema with `properties` but no `additionalProperties` admits no other keys (as llama.cpp's grammar
    /// converter does), instead of JSON Schema's "anything else goes".
    private let closedObjects: Bool
    private var nodes: [Node] = []
    /// Node index of each `$ref` target already compiled (or being compiled: recursion).
    private var references: [String: Int] = [:]

    private static let annotations: Set<String> = ["title", "description", "default", "examples", "$schema", "$id", "$comment",
                                                   "$defs", "definitions", "deprecated", "readOnly", "writeOnly"]
    private static let handled: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "minItems",
                                               "maxItems", "enum", "const", "anyOf", "oneOf", "minLength", "maxLength",
                                               "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "$ref", "format"]

    init(root: SchemaValue, closedObjects: Bool = false) {
        self.root = root
        self.closedObjects = closedObjects
    }

    mutating func compile() throws(JSONSchemaError) -> [Node] {
        _ = try node(root, path: "")
        return nodes
    }

    /// Reserves a slot, compiles `schema` into it, and returns its index.
    private mutating func node(_ schema: SchemaValue, path: String) throws(JSONSchemaError) -> Int {
        let index = nodes.count
        nodes.append(.never)
        nodes[index] = try compileNode(schema, path: path)
        return index
    }

    private mutating func append(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    private mutating func compileNode(_ schema: SchemaValue, path: String) throws(JSONSchemaError) -> Node {
        if case let .bool(flag) = schema { return flag ? .any : .never }
        guard case let .object(object) = schema else { throw .invalid(path: path, message: "a schema must be an object or a boolean") }
        for key in object.keys.sorted() where !Self.handled.contains(key) && !Self.annotations.contains(key) {
            throw .unsupported(keyword: key, path: path)
        }
        if let reference = object["$ref"] {
            guard object.keys.allSatisfy({ $0 == "$ref" || Self.annotations.contains($0) }) else {
                throw .unsupported(keyword: "$ref beside other constraints", path: path)
            }
            return .anyOf([try resolve(reference, path: path)])
        }
        if let value = object["const"] { return .literals([value.jsonBytes]) }
        if let values = object["enum"] {
            guard case let .array(list) = values else { throw .invalid(path: path + "/enum", message: "must be an array") }
            return list.isEmpty ? .never : .literals(list.map(\.jsonBytes))
        }
        for keyword in ["anyOf", "oneOf"] {
            guard let alternatives = object[keyword] else { continue }
            guard case let .array(list) = alternatives, !list.isEmpty else {
                throw .invalid(path: path + "/" + keyword, message: "must be a non-empty array")
            }
            // Sibling keywords (e.g. `type`, `description`) apply to every alternative.
            var siblings = object
            siblings["anyOf"] = nil
            siblings["oneOf"] = nil
            var indices: [Int] = []
            for (i, alternative) in list.enumerated() {
                if case let .object(inner) = alternative, !siblings.isEmpty, inner["$ref"] == nil {
                    indices.append(try node(.object(siblings.merging(inner) { _, new in new }), path: "\(path)/\(keyword)/\(i)"))
                } else {
                    indices.append(try node(alternative, path: "\(path)/\(keyword)/\(i)"))
                }
            }
            return .anyOf(indices)
        }
        let types: [String]
        switch object["type"] {
        case nil: types = Self.impliedTypes(object)
        case let .string(single)?: types = [single]
        case let .array(list)?:
            types = list.compactMap { if case let .string(t) = $0 { return t } else { return nil } }
            guard types.count == list.count else { throw .invalid(path: path + "/type", message: "must list type names") }
        default: throw .invalid(path: path + "/type", message: "must be a string or an array of strings")
        }
        if types.isEmpty {
            if case let .string(name)? = object["format"] {
                throw .unsupported(keyword: "format \"\(name)\" (supported: \(StringFormat.supportedNames.joined(separator: ", ")))", path: path)
            }
            return .any
        }
        var alternatives: [Node] = []
        for type in types { alternatives.append(try typed(type, object, path: path)) }
        if alternatives.count == 1 { return alternatives[0] }
        return .anyOf(alternatives.map { append($0) })
    }

    /// The types a schema without `type` describes: those its keywords imply, or any (empty).
    private static func impliedTypes(_ object: [String: SchemaValue]) -> [String] {
        if object["properties"] != nil || object["additionalProperties"] != nil || object["required"] != nil { return ["object"] }
        if object["items"] != nil || object["minItems"] != nil || object["maxItems"] != nil { return ["array"] }
        if object["minLength"] != nil || object["maxLength"] != nil { return ["string"] }
        if case let .string(format)? = object["format"], StringFormat.named(format) != nil { return ["string"] }
        if ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].contains(where: { object[$0] != nil }) { return ["number"] }
        return []
    }

    private mutating func typed(_ type: String, _ object: [String: SchemaValue], path: String) throws(JSONSchemaError) -> Node {
        switch type {
        case "object": return try objectNode(object, path: path)
        case "array":
            let items = try object["items"].map { (schema: SchemaValue) throws(JSONSchemaError) in try node(schema, path: path + "/items") }
                ?? append(.any)
            let minItems = try Self.count(object["minItems"], path: path + "/minItems") ?? 0
            let maxItems = try Self.count(object["maxItems"], path: path + "/maxItems")
            if let maxItems, maxItems < minItems { throw .invalid(path: path, message: "maxItems < minItems") }
            return .array(items: items, minItems: minItems, maxItems: maxItems)
        case "string":
            if let format = object["format"] {
                guard case let .string(name) = format else { throw .invalid(path: path + "/format", message: "must be a string") }
                guard let known = StringFormat.named(name) else {
                    throw .unsupported(keyword: "format \"\(name)\" (supported: \(StringFormat.supportedNames.joined(separator: ", ")))",
                                       path: path)
                }
                guard object["minLength"] == nil, object["maxLength"] == nil else {
                    throw .unsupported(keyword: "format with minLength or maxLength", path: path)
                }
                return .formatted(known)
            }
            let minLength = try Self.count(object["minLength"], path: path + "/minLength") ?? 0
            let maxLength = try Self.count(object["maxLength"], path: path + "/maxLength")
            if let maxLength, maxLength < minLength { throw .invalid(path: path, message: "maxLength < minLength") }
            return .string(minLength: minLength, maxLength: maxLength)
        case "number", "integer":
            var bounds = JSONSchemaGrammar.NumberBounds(integer: type == "integer")
            bounds.minimum = try Self.number(object["minimum"], path: path + "/minimum")
            bounds.maximum = try Self.number(object["maximum"], path: path + "/maximum")
            // Draft 6+: exclusiveMinimum/Maximum are numbers; draft 4: booleans beside minimum/maximum.
            switch object["exclusiveMinimum"] {
            case let .bool(flag)?: bounds.exclusiveMinimum = flag
            case let value?:
                let limit = try Self.number(value, path: path + "/exclusiveMinimum")!
                if bounds.minimum.map({ limit >= $0 }) ?? true { (bounds.minimum, bounds.exclusiveMinimum) = (limit, true) }
            case nil: break
            }
            switch object["exclusiveMaximum"] {
            case let .bool(flag)?: bounds.exclusiveMaximum = flag
            case let value?:
                let limit = try Self.number(value, path: path + "/exclusiveMaximum")!
                if bounds.maximum.map({ limit <= $0 }) ?? true { (bounds.maximum, bounds.exclusiveMaximum) = (limit, true) }
            case nil: break
            }
            // OpenAPI's numeric formats: int32 bounds the value; the others say no more than the type does.
            switch object["format"] {
            case nil, .string("int64")?, .string("float")?, .string("double")?: break
            case .string("int32")?:
                if bounds.minimum.map({ $0 < -2_147_483_648 }) ?? true { (bounds.minimum, bounds.exclusiveMinimum) = (-2_147_483_648, false) }
                if bounds.maximum.map({ $0 > 2_147_483_647 }) ?? true { (bounds.maximum, bounds.exclusiveMaximum) = (2_147_483_647, false) }
            case .string(let name)?: throw .unsupported(keyword: "format \"\(name)\" on a number", path: path)
            default: throw .invalid(path: path + "/format", message: "must be a string")
            }
            if let lo = bounds.minimum, let hi = bounds.maximum, lo > hi { throw .invalid(path: path, message: "minimum > maximum") }
            return .number(bounds)
        case "boolean": return .boolean
        case "null": return .null
        default: throw .invalid(path: path + "/type", message: "unknown type '\(type)'")
        }
    }

    private mutating func objectNode(_ object: [String: SchemaValue], path: String) throws(JSONSchemaError) -> Node {
        var properties: [JSONSchemaGrammar.Property] = []
        if let declared = object["properties"] {
            guard case let .object(map) = declared else { throw .invalid(path: path + "/properties", message: "must be an object") }
            guard map.count <= 64 else { throw .unsupported(keyword: "properties (more than 64)", path: path + "/properties") }
            for name in map.keys.sorted() {
                let key = Array(SchemaValue.string(name).jsonBytes.dropFirst().dropLast())
                properties.append(.init(name: name, key: key, node: try node(map[name]!, path: "\(path)/properties/\(name)")))
            }
        }
        var required: [String] = []
        if let list = object["required"] {
            guard case let .array(values) = list else { throw .invalid(path: path + "/required", message: "must be an array of strings") }
            for value in values {
                guard case let .string(name) = value else { throw .invalid(path: path + "/required", message: "must be an array of strings") }
                if !required.contains(name) { required.append(name) }
            }
        }
        let additional: Int?
        switch object["additionalProperties"] {
        case nil where closedObjects && !properties.isEmpty && required.allSatisfy({ name in properties.contains { $0.name == name } }):
            additional = nil
        case nil, .bool(true)?: additional = append(.any)
        case .bool(false)?: additional = nil
        case let schema?: additional = try node(schema, path: path + "/additionalProperties")
        }
        for name in required where !properties.contains(where: { $0.name == name }) && additional == nil {
            throw .invalid(path: path + "/required", message: "'\(name)' is required but additionalProperties is false and it is not in properties")
        }
        return .object(properties: properties, required: required, additional: additional)
    }

    /// The node a local `$ref` (`#`, `#/$defs/X`, `#/definitions/X`, any JSON pointer into the root) points at.
    private mutating func resolve(_ reference: SchemaValue, path: String) throws(JSONSchemaError) -> Int {
        guard case let .string(text) = reference, text.hasPrefix("#") else {
            throw .unsupported(keyword: "$ref (only local references such as #/$defs/Name)", path: path)
        }
        if let known = references[text] { return known }
        var target = root
        for raw in text.dropFirst().split(separator: "/") {
            let part = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if case let .object(map) = target, let next = map[part] {
                target = next
            } else if case let .array(list) = target, let i = Int(part), list.indices.contains(i) {
                target = list[i]
            } else {
                throw .invalid(path: path + "/$ref", message: "'\(text)' does not resolve")
            }
        }
        let index = append(.never)
        references[text] = index
        nodes[index] = try compileNode(target, path: text)
        return index
    }

    private static func count(_ value: SchemaValue?, path: String) throws(JSONSchemaError) -> Int? {
        guard let value else { return nil }
        guard case let .number(n) = value, n >= 0, n == n.rounded(), n < 1e9 else {
            throw .invalid(path: path, message: "must be a non-negative integer")
        }
        return Int(n)
    }

    private static func number(_ value: SchemaValue?, path: String) throws(JSONSchemaError) -> Double? {
        guard let value else { return nil }
        guard case let .number(n) = value, n.isFinite else { throw .invalid(path: path, message: "must be a number") }
        return n
    }
}
