import Foundation

/// Global functions (`range`, `namespace`, `raise_exception`, `strftime_now`, `dict`) and the Python
/// methods templates call on strings and dictionaries.
extension TemplateEvaluator {
    func callFunction(_ name: String, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)]) throws(ChatTemplateError) -> TemplateValue {
        switch name {
        case "range":
            var bounds: [Int] = []
            for a in args {
                guard case let .int(i) = a else { throw .type("range() arguments must be integers") }
                bounds.append(i)
            }
            let (start, stop, stride) = switch bounds.count {
            case 1: (0, bounds[0], 1)
            case 2: (bounds[0], bounds[1], 1)
            case 3: (bounds[0], bounds[1], bounds[2])
            default: throw ChatTemplateError.type("range() takes 1 to 3 arguments")
            }
            guard stride != 0 else { throw .type("range() step must not be zero") }
            let count = stride > 0 ? max(0, (stop - start + stride - 1) / stride) : max(0, (start - stop - stride - 1) / -stride)
            guard count <= limits.maxOutputBytes else { throw .limitExceeded("range of \(count) items") }
            try step(count)
            return .array((0..<count).map { .int(start + $0 * stride) })
        case "namespace", "dict":
            var d = TemplateDictionary()
            if case let .dictionary(initial)? = args.first { d = initial }
            for (k, v) in kwargs { d[k] = v }
            return name == "dict" ? .dictionary(d) : .namespace(TemplateNamespace(d))
        case "raise_exception":
            throw .raised(try (args.first ?? .undefined).stringified(limit: limits.maxOutputBytes))
        case "strftime_now":
            guard case let .string(format)? = args.first else { throw .type("strftime_now() needs a format string") }
            return .string(Self.strftime(format, now))
        default:
            if case .undefined = lookup(name) ?? .undefined { throw .type("'\(name)' is undefined and cannot be called") }
            throw .type("'\(name)' is not callable")
        }
    }

    func callMethod(_ value: TemplateValue, _ name: String, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)]) throws(ChatTemplateError) -> TemplateValue {
        let limit = limits.maxOutputBytes
        switch (value, name) {
        case let (.dictionary(d), "get"):
            guard case let .string(key)? = args.first else { return args.count > 1 ? args[1] : .none }
            return d[key] ?? (args.count > 1 ? args[1] : .none)
        case let (.dictionary(d), "items"):
            return .array(d.entries.map { .array([.string($0.key), $0.value]) })
        case let (.dictionary(d), "keys"):
            return .array(d.keys.map { .string($0) })
        case let (.dictionary(d), "values"):
            return .array(d.entries.map(\.value))
        case let (.dictionary(d), "cycle") where d["index0"] != nil && !args.isEmpty:
            return args[d["index0"]!.intValue % args.count]
        case let (.string(s), _):
            return try stringMethod(s, name, args, limit: limit)
        case (.undefined, _):
            throw .type("cannot call method '\(name)' on an undefined value")
        default:
            throw .unknown("method '\(name)' on '\(value.typeName)'")
        }
    }

    private func stringMethod(_ s: String, _ name: String, _ args: [TemplateValue], limit: Int) throws(ChatTemplateError) -> TemplateValue {
        func stringArg(_ i: Int) -> String? {
            if i < args.count, case let .string(a) = args[i] { return a }
            return nil
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            let chars = stringArg(0).map { Set($0.unicodeScalars) }
            let strip: (Unicode.Scalar) -> Bool = { chars?.contains($0) ?? $0.properties.isWhitespace }
            var scalars = Substring(s).unicodeScalars[...]
            if name != "rstrip" { while let f = scalars.first, strip(f) { scalars.removeFirst() } }
            if name != "lstrip" { while let l = scalars.last, strip(l) { scalars.removeLast() } }
            return .string(String(String.UnicodeScalarView(scalars)))
        case "upper": return .string(s.uppercased())
        case "lower": return .string(s.lowercased())
        case "capitalize": return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "title":
            var out = "", startOfWord = true
            for c in s {
                out += startOfWord ? c.uppercased() : c.lowercased()
                startOfWord = !(c.isLetter || c.isNumber || c == "'")
            }
            return .string(out)
        case "startswith", "endswith":
            var candidates: [String] = []
            switch args.first {
            case let .string(p)?: candidates = [p]
            case let .array(items)?: candidates = items.compactMap { if case let .string(p) = $0 { p } else { nil } }
            default: throw .type("\(name) needs a string argument")
            }
            // Comparing UTF-8 bytes compares code points; only the candidate's length is read.
            return .bool(candidates.contains { c in
                name == "startswith" ? s.utf8.starts(with: c.utf8) : s.utf8.reversed().starts(with: c.utf8.reversed())
            })
        case "split":
            let maxSplit = args.count > 1 ? args[1].intValue : -1
            if let sep = stringArg(0) {
                guard !sep.isEmpty else { throw .type("empty separator") }
                let bytes = Array(s.utf8)
                var parts: [String] = [], start = 0
                for r in Self.occurrences(of: sep, in: s, limit: maxSplit) {
                    parts.append(String(decoding: bytes[start..<r.lowerBound], as: UTF8.self))
                    start = r.upperBound
                }
                parts.append(String(decoding: bytes[start...], as: UTF8.self))
                try step(parts.count)
                return .array(parts.map { .string($0) })
            }
            let parts = s.split(maxSplits: maxSplit < 0 ? Int.max : maxSplit, omittingEmptySubsequences: true) { $0.isWhitespace }
            try step(parts.count)
            return .array(parts.map { .string(String($0)) })
        case "replace":
            guard let old = stringArg(0), let new = stringArg(1) else { throw .type("replace() needs two strings") }
            let count = args.count > 2 ? args[2].intValue : -1
            guard !old.isEmpty else { return .string(s) }
            let bytes = Array(s.utf8), replacement = Array(new.utf8)
            var out: [UInt8] = [], start = 0
            for r in Self.occurrences(of: old, in: s, limit: count) {
                out += bytes[start..<r.lowerBound]
                out += replacement
                guard out.count <= limit else { throw .limitExceeded("a value exceeds \(limit) bytes") }
                start = r.upperBound
            }
            out += bytes[start...]
            guard out.count <= limit else { throw .limitExceeded("a value exceeds \(limit) bytes") }
            return .string(String(decoding: out, as: UTF8.self))
        case "join":
            var out = ""
            for (i, item) in try iterate(args.first ?? .undefined).enumerated() {
                if i > 0 { out += s }
                out += try item.stringified(limit: limit)
                try TemplateValue.check(out, limit)
            }
            return .string(out)
        case "find":
            guard let sub = stringArg(0) else { throw .type("find() needs a string") }
            guard !sub.isEmpty else { return .int(0) }
            guard let r = Self.occurrences(of: sub, in: s, limit: 1).first else { return .int(-1) }
            // The index in code points: the bytes before the match that start a scalar.
            return .int(s.utf8.prefix(r.lowerBound).reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) })
        case "count":
            guard let sub = stringArg(0), !sub.isEmpty else { throw .type("count() needs a non-empty string") }
            return .int(Self.occurrences(of: sub, in: s).count)
        case "isdigit": return .bool(!s.isEmpty && s.allSatisfy(\.isNumber))
        case "isspace": return .bool(!s.isEmpty && s.allSatisfy(\.isWhitespace))
        default: throw .unknown("method '\(name)' on 'str'")
        }
    }

    /// The byte ranges (in UTF-8) of the non-overlapping occurrences of `needle` in `haystack`, left to right, at
    /// most `limit` of them (all when negative). Knuth–Morris–Pratt over the UTF-8 bytes: linear time, where
    /// `String.range(of:)` takes time proportional to the product of the lengths on inputs like
    /// `'a' * 50000 ~ 'b' in 'a' * 100000` (a minute for that one). Matching bytes matches code points exactly,
    /// as Python's `in`, `find`, `count`, `split` and `replace` do.
    static func occurrences(of needle: String, in haystack: String, limit: Int = -1) -> [Range<Int>] {
        let n = Array(needle.utf8)
        guard !n.isEmpty, limit != 0 else { return [] }
        var fallback = [Int](repeating: 0, count: n.count)
        var k = 0
        for i in n.indices.dropFirst() {
            while k > 0 && n[i] != n[k] { k = fallback[k - 1] }
            if n[i] == n[k] { k += 1 }
            fallback[i] = k
        }
        var found: [Range<Int>] = []
        k = 0
        var i = 0
        for b in haystack.utf8 {
            while k > 0 && b != n[k] { k = fallback[k - 1] }
            if b == n[k] { k += 1 }
            i += 1
            if k == n.count {
                found.append(i - n.count..<i)
                k = 0
                if limit > 0 && found.count >= limit { break }
            }
        }
        return found
    }

    /// A small `strftime`: `%Y %y %m %d %e %H %I %M %S %p %b %B %a %A %j %%`.
    static func strftime(_ format: String, _ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        var out = "", percent = false
        for ch in format {
            guard percent else { if ch == "%" { percent = true } else { out.append(ch) }; continue }
            percent = false
            let month = months[max(0, (c.month ?? 1) - 1)], day = days[max(0, (c.weekday ?? 1) - 1)]
            switch ch {
            case "Y": out += "\(c.year ?? 0)"
            case "y": out += two((c.year ?? 0) % 100)
            case "m": out += two(c.month)
            case "d": out += two(c.day)
            case "e": out += (c.day ?? 0) < 10 ? " \(c.day ?? 0)" : "\(c.day ?? 0)"
            case "H": out += two(c.hour)
            case "I": out += two(((c.hour ?? 0) + 11) % 12 + 1)
            case "M": out += two(c.minute)
            case "S": out += two(c.second)
            case "p": out += (c.hour ?? 0) < 12 ? "AM" : "PM"
            case "b": out += String(month.prefix(3))
            case "B": out += month
            case "a": out += String(day.prefix(3))
            case "A": out += day
            case "j": out += String(calendar.ordinality(of: .day, in: .year, for: date) ?? 0)
            default: out.append("%"); out.append(ch)
            }
        }
        return out
    }
}
