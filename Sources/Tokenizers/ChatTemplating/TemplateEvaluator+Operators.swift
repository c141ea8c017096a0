import Foundation

/// Arithmetic, concatenation and comparison with Python semantics, bounded in size.
extension TemplateEvaluator {
    func binary(_ op: String, _ l: TemplateValue, _ r: TemplateValue) throws(ChatTemplateError) -> TemplateValue {
        let limit = limits.maxOutputBytes
        if op == "~" {
            let s = try l.stringified(limit: limit) + r.stringified(limit: limit)
            try TemplateValue.check(s, limit)
            return .string(s)
        }
        switch (op, l, r) {
        case let ("+", .string(a), .string(b)):
            guard a.utf8.count + b.utf8.count <= limit else { throw .limitExceeded("string longer than \(limit) bytes") }
            return .string(a + b)
        case let ("+", .array(a), .array(b)):
            guard a.count + b.count <= limit else { throw .limitExceeded("list longer than \(limit) items") }
            try step(a.count + b.count)
            return .array(a + b)
        case let ("*", .string(s), .int(n)), let ("*", .int(n), .string(s)):
            guard n <= 0 || s.utf8.count <= limit / n else { throw .limitExceeded("string longer than \(limit) bytes") }
            return .string(String(repeating: s, count: max(0, n)))
        case let ("*", .array(a), .int(n)), let ("*", .int(n), .array(a)):
            guard n <= 0 || a.count <= limit / n else { throw .limitExceeded("list longer than \(limit) items") }
            try step(a.count * max(0, n))
            return .array(Array([[TemplateValue]](repeating: a, count: max(0, n)).joined()))
        default: break
        }
        if case let .int(a) = l.numericInt, case let .int(b) = r.numericInt {
            switch op {
            case "+": return try checked(a.addingReportingOverflow(b))
            case "-": return try checked(a.subtractingReportingOverflow(b))
            case "*": return try checked(a.multipliedReportingOverflow(by: b))
            case "/":
                guard b != 0 else { throw .type("division by zero") }
                return .double(Double(a) / Double(b))
            case "//", "%":
                guard b != 0 else { throw .type("integer division or modulo by zero") }
                guard !(a == .min && b == -1) else { throw .type("integer overflow") }
                var q = a / b, m = a % b
                if m != 0, (m < 0) != (b < 0) { q -= 1; m += b }
                return .int(op == "//" ? q : m)
            case "**":
                guard b >= 0 else { return .double(Foundation.pow(Double(a), Double(b))) }
                if a == 0 || a == 1 { return .int(b == 0 ? 1 : a) }
                if a == -1 { return .int(b % 2 == 0 ? 1 : -1) }
                var result = 1
                for _ in 0..<b { result = try checked(result.multipliedReportingOverflow(by: a)).intValue }
                return .int(result)
            default: break
            }
        }
        if let a = l.asDouble, let b = r.asDouble {
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/":
                guard b != 0 else { throw .type("float division by zero") }
                return .double(a / b)
            case "//":
                guard b != 0 else { throw .type("float divmod by zero") }
                return .double((a / b).rounded(.down))
            case "%":
                guard b != 0 else { throw .type("float modulo by zero") }
                let m = a.truncatingRemainder(dividingBy: b)
                return .double(m != 0 && (m < 0) != (b < 0) ? m + b : m)
            case "**": return .double(Foundation.pow(a, b))
            default: break
            }
        }
        throw .type("unsupported operand types for \(op): '\(l.typeName)' and '\(r.typeName)'")
    }

    private func checked(_ result: (partialValue: Int, overflow: Bool)) throws(ChatTemplateError) -> TemplateValue {
        if result.overflow { throw .type("integer overflow") }
        return .int(result.partialValue)
    }

    func compare(_ op: String, _ l: TemplateValue, _ r: TemplateValue) throws(ChatTemplateError) -> Bool {
        switch op {
        case "==": return try equal(l, r)
        case "!=": return try !equal(l, r)
        case "in": return try contains(r, l)
        case "not in": return try !contains(r, l)
        case "<": return try less(l, r)
        case ">": return try less(r, l)
        case "<=": return try !less(r, l)
        case ">=": return try !less(l, r)
        default: throw .unknown("operator \(op)")
        }
    }

    /// Python `needle in haystack`.
    func contains(_ haystack: TemplateValue, _ needle: TemplateValue) throws(ChatTemplateError) -> Bool {
        switch (haystack, needle) {
        case let (.string(h), .string(n)):
            try charge(reading: [haystack])
            return n.isEmpty || !Self.occurrences(of: n, in: h, limit: 1).isEmpty
        case let (.dictionary(d), .string(k)): return d[k] != nil
        case let (.namespace(ns), .string(k)): return ns.attributes[k] != nil
        case let (.array(items), _):
            for item in items {
                if try equal(item, needle) { return true }
            }
            return false
        case (.undefined, _), (.dictionary, _): return false
        default: throw .type("argument of type '\(haystack.typeName)' is not iterable")
        }
    }

    /// Deep Python equality, charging one step per element compared.
    func equal(_ l: TemplateValue, _ r: TemplateValue) throws(ChatTemplateError) -> Bool {
        try step()
        switch (l, r) {
        case let (.array(a), .array(b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) {
                if try !equal(x, y) { return false }
            }
            return true
        case let (.dictionary(a), .dictionary(b)):
            guard a.count == b.count else { return false }
            for (k, v) in a.entries {
                guard let w = b[k], try equal(v, w) else { return false }
            }
            return true
        case let (.string(a), .string(b)):
            try charge(reading: [a.utf8.count < b.utf8.count ? l : r])
            return a == b
        case (.none, .none), (.undefined, .undefined): return true
        case let (.namespace(a), .namespace(b)): return a === b
        default:
            if let a = l.asDouble, let b = r.asDouble { return a == b }
            return false
        }
    }

    func less(_ l: TemplateValue, _ r: TemplateValue) throws(ChatTemplateError) -> Bool {
        try step()
        switch (l, r) {
        case let (.string(a), .string(b)):
            try charge(reading: [a.utf8.count < b.utf8.count ? l : r])
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        case let (.array(a), .array(b)):
            for (x, y) in zip(a, b) {
                if try !equal(x, y) { return try less(x, y) }
            }
            return a.count < b.count
        default:
            if case let .int(a) = l.numericInt, case let .int(b) = r.numericInt { return a < b }
            if let a = l.asDouble, let b = r.asDouble { return a < b }
            throw .type("'<' not supported between instances of '\(l.typeName)' and '\(r.typeName)'")
        }
    }
}

extension TemplateValue {
    /// Ints and bools as `.int`, otherwise `.none`.
    var numericInt: TemplateValue {
        switch self {
        case .int: self
        case let .bool(b): .int(b ? 1 : 0)
        default: .none
        }
    }

    var intValue: Int {
        if case let .int(i) = self { i } else { 0 }
    }

    var asDouble: Double? {
        switch self {
        case let .int(i): Double(i)
        case let .double(d): d
        case let .bool(b): b ? 1 : 0
        default: nil
        }
    }
}
