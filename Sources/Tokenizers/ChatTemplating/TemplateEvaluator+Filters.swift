import Foundation

/// Jinja filters (`value | name(args)`) and tests (`value is name(args)`).
extension TemplateEvaluator {
    func applyFilter(_ name: String, _ value: TemplateValue, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)]) throws(ChatTemplateError) -> TemplateValue {
        func arg(_ i: Int, _ key: String) -> TemplateValue? {
            if i < args.count { return args[i] }
            return kwargs.first { $0.0 == key }?.1
        }
        let limit = limits.maxOutputBytes
        switch name {
        case "trim", "strip":
            return try callMethod(.string(try value.stringified(limit: limit)), "strip", Array(args.prefix(1)), [])
        case "upper", "lower", "capitalize", "title":
            return try callMethod(.string(try value.stringified(limit: limit)), name, [], [])
        case "replace":
            return try callMethod(.string(try value.stringified(limit: limit)), "replace", args, [])
        case "length", "count":
            switch value {
            case let .string(s): return .int(s.unicodeScalars.count)
            case let .array(a): return .int(a.count)
            case let .dictionary(d): return .int(d.count)
            case .undefined: return .int(0)
            default: throw .type("object of type '\(value.typeName)' has no len()")
            }
        case "string":
            return .string(try value.stringified(limit: limit))
        case "safe", "e", "escape", "forceescape":
            return name == "safe" ? value : .string(Self.htmlEscaped(try value.stringified(limit: limit)))
        case "tojson":
            var out = ""
            var indent: Int?
            if case let .int(n)? = arg(0, "indent") { indent = n }
            try value.writeJSON(into: &out, indent: indent, limit: limit)
            return .string(out)
        case "join":
            let separator = try (arg(0, "d") ?? .string("")).stringified(limit: limit)
            var items = try iterate(value)
            if let attr = arg(1, "attribute") { items = items.map { attributePath($0, attr) } }
            var out = ""
            for (i, item) in items.enumerated() {
                try step()
                if i > 0 { out += separator }
                out += try item.stringified(limit: limit)
                try TemplateValue.check(out, limit)
            }
            return .string(out)
        case "default", "d":
            let fallback = arg(0, "default_value") ?? .string("")
            let boolean = arg(1, "boolean")?.isTruthy ?? false
            return value.isUndefined || (boolean && !value.isTruthy) ? fallback : value
        case "first":
            return try iterate(value).first ?? .undefined
        case "last":
            return try iterate(value).last ?? .undefined
        case "list":
            return .array(try iterate(value))
        case "items":
            guard case let .dictionary(d) = value else { return value.isUndefined ? .array([]) : try callMethod(value, "items", [], []) }
            return .array(d.entries.map { .array([.string($0.key), $0.value]) })
        case "dictsort":
            guard case let .dictionary(d) = value else { throw .type("dictsort expects a dict") }
            let sorted = d.entries.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
            return .array(sorted.map { .array([.string($0.key), $0.value]) })
        case "reverse":
            if case let .string(s) = value { return .string(String(s.unicodeScalars.reversed().map(Character.init))) }
            return .array(try iterate(value).reversed())
        case "unique":
            var out: [TemplateValue] = []
            for item in try iterate(value) {
                if try !contains(.array(out), item) { out.append(item) }
            }
            return .array(out)
        case "sort":
            var items = try iterate(value)
            let reverse = arg(0, "reverse")?.isTruthy ?? false
            let attr = arg(2, "attribute")
            try step(items.count * max(1, items.count.bitWidth - items.count.leadingZeroBitCount))
            var failure: ChatTemplateError?
            items.sort { a, b in
                do throws(ChatTemplateError) {
                    let (x, y) = attr == nil ? (a, b) : (attributePath(a, attr!), attributePath(b, attr!))
                    return reverse ? try less(y, x) : try less(x, y)
                } catch { failure = error; return false }
            }
            if let failure { throw failure }
            return .array(items)
        case "selectattr", "rejectattr", "select", "reject":
            let byAttribute = name.hasSuffix("attr")
            let offset = byAttribute ? 1 : 0
            var kept: [TemplateValue] = []
            for item in try iterate(value) {
                try step()
                let subject = byAttribute ? attributePath(item, args.first ?? .undefined) : item
                let passes: Bool
                if args.count > offset, case let .string(test) = args[offset] {
                    passes = try applyTest(test, subject, Array(args.dropFirst(offset + 1)))
                } else {
                    passes = subject.isTruthy
                }
                if passes == name.hasPrefix("select") { kept.append(item) }
            }
            return .array(kept)
        case "map":
            var out: [TemplateValue] = []
            for item in try iterate(value) {
                try step()
                if let attr = kwargs.first(where: { $0.0 == "attribute" })?.1 {
                    let v = attributePath(item, attr)
                    out.append(v.isUndefined ? kwargs.first { $0.0 == "default" }?.1 ?? v : v)
                } else if case let .string(filter)? = args.first {
                    let mapped = try applyFilter(filter, item, Array(args.dropFirst()), kwargs)
                    try charge(reading: [item], building: mapped)
                    out.append(mapped)
                } else {
                    throw .type("map needs a filter name or attribute=")
                }
            }
            return .array(out)
        case "int":
            switch value {
            case let .int(i): return .int(i)
            case let .double(d) where d.isFinite && abs(d) < 9e18: return .int(Int(d))
            case let .bool(b): return .int(b ? 1 : 0)
            case let .string(s): return .int(Int(s.trimmingCharacters(in: .whitespaces)) ?? Double(s).map { $0.isFinite && abs($0) < 9e18 ? Int($0) : 0 } ?? 0)
            default: return arg(0, "default") ?? .int(0)
            }
        case "float":
            if case let .string(s) = value { return .double(Double(s.trimmingCharacters(in: .whitespaces)) ?? 0) }
            return .double(value.asDouble ?? 0)
        case "abs":
            if case let .int(i) = value, i != .min { return .int(abs(i)) }
            if case let .double(d) = value { return .double(abs(d)) }
            throw .type("bad operand type for abs(): '\(value.typeName)'")
        case "round":
            let digits = arg(0, "precision")?.intValue ?? 0
            let scale = Foundation.pow(10.0, Double(digits))
            return .double(((value.asDouble ?? 0) * scale).rounded(.toNearestOrEven) / scale)
        case "sum", "min", "max":
            let items = try iterate(value)
            if name == "sum" {
                var total: TemplateValue = .int(0)
                for item in items { total = try binary("+", total, item) }
                return total
            }
            guard var best = items.first else { return .undefined }
            for item in items.dropFirst() {
                if try name == "min" ? less(item, best) : less(best, item) { best = item }
            }
            return best
        case "indent":
            let width = arg(0, "width")?.intValue ?? 4
            let first = arg(1, "first")?.isTruthy ?? false
            let pad = String(repeating: " ", count: max(0, min(width, 256)))
            let lines = try value.stringified(limit: limit).split(separator: "\n", omittingEmptySubsequences: false)
            var out = ""
            for (i, line) in lines.enumerated() {
                if i > 0 { out += "\n" }
                if (i > 0 || first) && !line.isEmpty { out += pad }
                out += line
                try TemplateValue.check(out, limit)
            }
            return .string(out)
        default:
            throw .unknown("filter '\(name)'")
        }
    }

    /// `attribute=` argument: a dotted path (`"function.name"`) or an integer index.
    func attributePath(_ value: TemplateValue, _ path: TemplateValue) -> TemplateValue {
        if case .int = path { return (try? subscriptValue(value, path)) ?? .undefined }
        guard case let .string(p) = path else { return .undefined }
        var v = value
        for part in p.split(separator: ".") {
            if let i = Int(part), case .array = v {
                v = (try? subscriptValue(v, .int(i))) ?? .undefined
            } else {
                v = attribute(v, String(part))
            }
        }
        return v
    }

    static func htmlEscaped(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    func applyTest(_ name: String, _ value: TemplateValue, _ args: [TemplateValue]) throws(ChatTemplateError) -> Bool {
        let other = args.first ?? .undefined
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .dictionary = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": return value == .bool(true)
        case "false": return value == .bool(false)
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number":
            switch value {
            case .int, .double, .bool: return true
            default: return false
            }
        case "iterable", "sequence":
            switch value {
            case .string, .array, .dictionary: return true
            default: return false
            }
        case "callable": return false
        case "odd", "even", "divisibleby":
            guard case let .int(i) = value else { throw .type("test '\(name)' needs an integer") }
            if name == "divisibleby" {
                guard case let .int(d) = other, d != 0 else { throw .type("divisibleby needs a non-zero integer") }
                return i % d == 0
            }
            return (i % 2 != 0) == (name == "odd")
        case "eq", "equalto", "==": return try equal(value, other)
        case "ne", "!=": return try !equal(value, other)
        case "lt", "<": return try less(value, other)
        case "le", "<=": return try !less(other, value)
        case "gt", ">", "greaterthan": return try less(other, value)
        case "ge", ">=": return try !less(value, other)
        case "in": return try contains(other, value)
        case "sameas":
            switch (value, other) {
            case let (.namespace(a), .namespace(b)): return a === b
            default: return value == other
            }
        case "lower", "upper":
            guard case let .string(s) = value else { return false }
            try charge(reading: [value], building: value)
            return name == "lower" ? s == s.lowercased() : s == s.uppercased()
        default:
            throw .unknown("test '\(name)'")
        }
    }
}
