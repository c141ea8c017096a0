/// Expression evaluation: variables, access, calls, and dispatch to operators, filters and tests.
extension TemplateEvaluator {
    func evaluate(_ expression: TemplateExpression) throws(ChatTemplateError) -> TemplateValue {
        try step()
        switch expression {
        case let .literal(v):
            return v
        case let .variable(name):
            return lookup(name) ?? .undefined
        case let .list(items):
            var out: [TemplateValue] = []
            for item in items { out.append(try evaluate(item)) }
            return .array(out)
        case let .dictionary(pairs):
            var d = TemplateDictionary()
            for (k, v) in pairs {
                d[try evaluate(k).stringified(limit: limits.maxOutputBytes)] = try evaluate(v)
            }
            return .dictionary(d)
        case let .attribute(base, name):
            return attribute(try evaluate(base), name)
        case let .index(base, key):
            let container = try evaluate(base)
            if case .string = container { try charge(reading: [container]) }
            return try subscriptValue(container, try evaluate(key))
        case let .slice(base, start, stop, stepExpr):
            let container = try evaluate(base)
            let result = try slice(container, start: try evaluateOptional(start), stop: try evaluateOptional(stop), step: try evaluateOptional(stepExpr))
            try charge(reading: [container], building: result)
            return result
        case let .call(callee, arguments):
            let (args, kwargs) = try evaluate(arguments)
            let result: TemplateValue
            var inputs = args
            switch callee {
            case let .variable(name):
                if lookup(name) == nil, let m = macros[name] {
                    result = try callMacro(m, args, kwargs)
                } else {
                    result = try callFunction(name, args, kwargs)
                }
            case let .attribute(base, method):
                let receiver = try evaluate(base)
                inputs.append(receiver)
                result = try callMethod(receiver, method, args, kwargs)
            default:
                throw .type("expression is not callable")
            }
            try charge(reading: inputs, building: result)
            return result
        case let .filter(base, name, arguments):
            let value = try evaluate(base)
            let (args, kwargs) = try evaluate(arguments)
            let result = try applyFilter(name, value, args, kwargs)
            try charge(reading: [value] + args, building: result)
            return result
        case let .test(base, name, arguments, negated):
            let value = try evaluate(base)
            let (args, _) = try evaluate(arguments)
            try charge(reading: [value] + args)
            return .bool(try applyTest(name, value, args) != negated)
        case let .unary(op, operand):
            let v = try evaluate(operand)
            switch (op, v) {
            case ("not", _): return .bool(!v.isTruthy)
            case ("-", .int(let i)): return .int(0 &- i)
            case ("-", .double(let d)): return .double(-d)
            case ("+", .int), ("+", .double): return v
            default: throw .type("bad operand type for unary \(op): '\(v.typeName)'")
            }
        case let .binary(op, lhs, rhs):
            let left = try evaluate(lhs)
            switch op {
            case "and": return left.isTruthy ? try evaluate(rhs) : left
            case "or": return left.isTruthy ? left : try evaluate(rhs)
            default:
                let right = try evaluate(rhs)
                let result = try binary(op, left, right)
                try charge(reading: [left, right], building: result)
                return result
            }
        case let .compare(first, rest):
            var left = try evaluate(first)
            for (op, rhsExpr) in rest {
                let right = try evaluate(rhsExpr)
                if try !compare(op, left, right) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case let .conditional(value, condition, otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(value) }
            return try evaluateOptional(otherwise) ?? .undefined
        }
    }

    func evaluateOptional(_ expression: TemplateExpression?) throws(ChatTemplateError) -> TemplateValue? {
        guard let expression else { return nil }
        return try evaluate(expression)
    }

    func evaluate(_ arguments: TemplateArguments) throws(ChatTemplateError) -> ([TemplateValue], [(String, TemplateValue)]) {
        var args: [TemplateValue] = []
        for a in arguments.positional { args.append(try evaluate(a)) }
        var kwargs: [(String, TemplateValue)] = []
        for (k, v) in arguments.keyword { kwargs.append((k, try evaluate(v))) }
        return (args, kwargs)
    }

    /// `value.name`: dictionary entry or namespace attribute; anything else is undefined.
    func attribute(_ value: TemplateValue, _ name: String) -> TemplateValue {
        switch value {
        case let .dictionary(d): d[name] ?? .undefined
        case let .namespace(ns): ns.attributes[name] ?? .undefined
        default: .undefined
        }
    }

    /// `value[key]`; missing entries and out-of-range indices are undefined.
    func subscriptValue(_ value: TemplateValue, _ key: TemplateValue) throws(ChatTemplateError) -> TemplateValue {
        switch (value, key) {
        case let (.array(items), .int(i)):
            let k = i < 0 ? i + items.count : i
            return items.indices.contains(k) ? items[k] : .undefined
        case let (.string(s), .int(i)):
            let scalars = s.unicodeScalars
            let k = i < 0 ? i + scalars.count : i
            guard k >= 0, let at = scalars.index(scalars.startIndex, offsetBy: k, limitedBy: scalars.endIndex),
                  at != scalars.endIndex else { return .undefined }
            return .string(String(scalars[at]))
        case let (.dictionary, .string(name)), let (.namespace, .string(name)):
            return attribute(value, name)
        case (.dictionary, _):
            return attribute(value, try key.stringified(limit: limits.maxOutputBytes))
        default:
            return .undefined
        }
    }

    /// Python slicing of lists and strings.
    func slice(_ value: TemplateValue, start: TemplateValue?, stop: TemplateValue?, step stepValue: TemplateValue?) throws(ChatTemplateError) -> TemplateValue {
        func int(_ v: TemplateValue?) throws(ChatTemplateError) -> Int? {
            switch v {
            case nil, .none?, .undefined?: return nil
            case let .int(i)?: return i
            default: throw .type("slice indices must be integers or None")
            }
        }
        let stride = try int(stepValue) ?? 1
        guard stride != 0 else { throw .type("slice step cannot be zero") }
        let count: Int
        switch value {
        case let .array(a): count = a.count
        case let .string(s): count = s.unicodeScalars.count
        case .undefined: return .undefined
        default: throw .type("'\(value.typeName)' object is not subscriptable")
        }
        var indices: [Int] = []
        if stride > 0 {
            func clamp(_ i: Int) -> Int { i < 0 ? max(0, i + count) : min(i, count) }
            let from = try int(start).map(clamp) ?? 0, to = try int(stop).map(clamp) ?? count
            var i = from
            while i < to { indices.append(i); i += stride }
        } else {
            func clamp(_ i: Int) -> Int { i < 0 ? max(-1, i + count) : min(i, count - 1) }
            let from = try int(start).map(clamp) ?? count - 1, to = try int(stop).map(clamp) ?? -1
            var i = from
            while i > to { indices.append(i); i += stride }
        }
        try step(indices.count)
        switch value {
        case let .array(a): return .array(indices.map { a[$0] })
        case let .string(s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in indices { out.append(scalars[i]) }
            return .string(String(out))
        default: return .undefined
        }
    }
}
