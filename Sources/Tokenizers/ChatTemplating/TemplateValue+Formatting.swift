/// Conversions of values to text: Python `str()`/`repr()` and `json.dumps`, each bounded by a byte limit
/// so that a deeply shared structure cannot expand without bound.
extension TemplateValue {
    /// Python `str(value)`; undefined is the empty string.
    func stringified(limit: Int) throws(ChatTemplateError) -> String {
        switch self {
        case let .string(s): return s
        case .undefined: return ""
        default:
            var out = ""
            try writeRepr(into: &out, limit: limit)
            return out
        }
    }

    /// Python `repr(value)`.
    func writeRepr(into out: inout String, limit: Int) throws(ChatTemplateError) {
        switch self {
        case let .string(s): out += Self.pythonQuoted(s)
        case let .int(i): out += String(i)
        case let .double(d): out += Self.pythonFloat(d)
        case let .bool(b): out += b ? "True" : "False"
        case .none: out += "None"
        case .undefined: break
        case .namespace: out += "<Namespace>"
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                try item.writeRepr(into: &out, limit: limit)
                try Self.check(out, limit)
            }
            out += "]"
        case let .dictionary(d):
            out += "{"
            for (i, entry) in d.entries.enumerated() {
                if i > 0 { out += ", " }
                out += Self.pythonQuoted(entry.key) + ": "
                try entry.value.writeRepr(into: &out, limit: limit)
                try Self.check(out, limit)
            }
            out += "}"
        }
        try Self.check(out, limit)
    }

    /// `json.dumps(value, ensure_ascii=False, indent=indent)` as used by transformers' `tojson`.
    func writeJSON(into out: inout String, indent: Int?, level: Int = 0, limit: Int) throws(ChatTemplateError) {
        func newline(_ depth: Int) {
            if let indent { out += "\n" + String(repeating: " ", count: indent * depth) }
        }
        switch self {
        case let .string(s): Self.writeJSONString(s, into: &out)
        case let .int(i): out += String(i)
        case let .double(d):
            out += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : Self.pythonFloat(d)
        case let .bool(b): out += b ? "true" : "false"
        case .none, .undefined: out += "null"
        case let .namespace(ns): try TemplateValue.dictionary(ns.attributes).writeJSON(into: &out, indent: indent, level: level, limit: limit)
        case let .array(items):
            if items.isEmpty { out += "[]"; break }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += indent == nil ? ", " : "," }
                newline(level + 1)
                try item.writeJSON(into: &out, indent: indent, level: level + 1, limit: limit)
                try Self.check(out, limit)
            }
            newline(level)
            out += "]"
        case let .dictionary(d):
            if d.isEmpty { out += "{}"; break }
            out += "{"
            for (i, entry) in d.entries.enumerated() {
                if i > 0 { out += indent == nil ? ", " : "," }
                newline(level + 1)
                Self.writeJSONString(entry.key, into: &out)
                out += ": "
                try entry.value.writeJSON(into: &out, indent: indent, level: level + 1, limit: limit)
                try Self.check(out, limit)
            }
            newline(level)
            out += "}"
        }
        try Self.check(out, limit)
    }

    static func check(_ s: String, _ limit: Int) throws(ChatTemplateError) {
        if s.utf8.count > limit { throw .limitExceeded("a value exceeds \(limit) bytes") }
    }

    static func writeJSONString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Python's `repr` of a string: single quotes unless the text contains `'` but no `"`.
    static func pythonQuoted(_ s: String) -> String {
        let quote: Unicode.Scalar = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case quote: out += "\\" + String(quote)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.unicodeScalars.append(quote)
        return out
    }

    /// Python's `repr` of a float (`1.0`, `0.5`, `1e+16`, `inf`, `nan`).
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return d.description
    }
}
