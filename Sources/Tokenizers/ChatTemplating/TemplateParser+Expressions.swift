/// Expression grammar, loosest to tightest, following Jinja: conditional, `or`, `and`, `not`,
/// comparisons, `+ -`, `~`, `* / // %`, `**`, unary `- +`, then primaries with postfix
/// (`.attr`, `[i]`, `[a:b]`, `(args)`), filters (`|f`) and tests (`is t`).
extension TemplateParser {
    /// `a, b` (a tuple, as a list) or a single expression.
    mutating func parseTupleOrExpression() throws(ChatTemplateError) -> TemplateExpression {
        let first = try parseExpression()
        guard isSymbol(",") else { return first }
        var items = [first]
        while skip(symbol: ",") {
            if current.kind == .blockClose || isSymbol(")") { break }
            items.append(try parseExpression())
        }
        return .list(items)
    }

    mutating func parseExpression() throws(ChatTemplateError) -> TemplateExpression {
        try enter()
        defer { leave() }
        let value = try parseOr()
        guard skip(name: "if") else { return value }
        let condition = try parseOr()
        let otherwise = skip(name: "else") ? try parseExpression() : nil
        return .conditional(value, condition: condition, otherwise: otherwise)
    }

    mutating func parseOr() throws(ChatTemplateError) -> TemplateExpression {
        var left = try parseAnd()
        while skip(name: "or") { left = .binary("or", left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws(ChatTemplateError) -> TemplateExpression {
        var left = try parseNot()
        while skip(name: "and") { left = .binary("and", left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws(ChatTemplateError) -> TemplateExpression {
        guard skip(name: "not") else { return try parseCompare() }
        try enter()
        defer { leave() }
        return .unary("not", try parseNot())
    }

    mutating func parseCompare() throws(ChatTemplateError) -> TemplateExpression {
        let left = try parseMath1()
        var ops: [(String, TemplateExpression)] = []
        while true {
            if case let .symbol(s) = current.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
                index += 1
                ops.append((s, try parseMath1()))
            } else if skip(name: "in") {
                ops.append(("in", try parseMath1()))
            } else if isName("not"), index + 1 < tokens.count, tokens[index + 1].kind == .name("in") {
                index += 2
                ops.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? left : .compare(left, ops)
    }

    mutating func parseMath1() throws(ChatTemplateError) -> TemplateExpression {
        var left = try parseConcat()
        while case let .symbol(s) = current.kind, s == "+" || s == "-" {
            index += 1
            left = .binary(s, left, try parseConcat())
        }
        return left
    }

    mutating func parseConcat() throws(ChatTemplateError) -> TemplateExpression {
        var left = try parseMath2()
        while skip(symbol: "~") { left = .binary("~", left, try parseMath2()) }
        return left
    }

    mutating func parseMath2() throws(ChatTemplateError) -> TemplateExpression {
        var left = try parsePow()
        while case let .symbol(s) = current.kind, ["*", "/", "//", "%"].contains(s) {
            index += 1
            left = .binary(s, left, try parsePow())
        }
        return left
    }

    mutating func parsePow() throws(ChatTemplateError) -> TemplateExpression {
        var left = try parseUnary()
        while skip(symbol: "**") { left = .binary("**", left, try parseUnary()) }
        return left
    }

    mutating func parseUnary() throws(ChatTemplateError) -> TemplateExpression {
        if case let .symbol(s) = current.kind, s == "-" || s == "+" {
            index += 1
            try enter()
            defer { leave() }
            return try parseFilters(.unary(s, try parseUnary()))
        }
        return try parseFilters(try parsePostfix(try parsePrimary()))
    }

    mutating func parsePrimary() throws(ChatTemplateError) -> TemplateExpression {
        let token = advance()
        switch token.kind {
        case let .name(n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .variable(n)
            }
        case var .string(s):
            while case let .string(next) = current.kind { s += next; index += 1 }
            return .literal(.string(s))
        case let .integer(i): return .literal(.int(i))
        case let .float(d): return .literal(.double(d))
        case .symbol("("):
            try enter()
            defer { leave() }
            if skip(symbol: ")") { return .list([]) }
            let first = try parseExpression()
            if skip(symbol: ")") { return first }
            var items = [first]
            while skip(symbol: ",") {
                if isSymbol(")") { break }
                items.append(try parseExpression())
            }
            try expect(symbol: ")")
            return .list(items)
        case .symbol("["):
            try enter()
            defer { leave() }
            var items: [TemplateExpression] = []
            while !isSymbol("]") {
                items.append(try parseExpression())
                if !skip(symbol: ",") { break }
            }
            try expect(symbol: "]")
            return .list(items)
        case .symbol("{"):
            try enter()
            defer { leave() }
            var pairs: [(TemplateExpression, TemplateExpression)] = []
            while !isSymbol("}") {
                let key = try parseExpression()
                try expect(symbol: ":")
                pairs.append((key, try parseExpression()))
                if !skip(symbol: ",") { break }
            }
            try expect(symbol: "}")
            return .dictionary(pairs)
        default:
            throw error("unexpected \(token.display) in expression", token)
        }
    }

    mutating func parsePostfix(_ base: TemplateExpression) throws(ChatTemplateError) -> TemplateExpression {
        var node = base
        while true {
            if skip(symbol: ".") {
                if case let .integer(i) = current.kind {
                    index += 1
                    node = .index(node, .literal(.int(i)))
                } else {
                    node = .attribute(node, try expectName())
                }
            } else if skip(symbol: "[") {
                node = try parseSubscript(node)
            } else if isSymbol("(") {
                index += 1
                node = .call(node, try parseArguments())
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ base: TemplateExpression) throws(ChatTemplateError) -> TemplateExpression {
        var parts: [TemplateExpression?] = [nil]
        var isSlice = false
        while !isSymbol("]") {
            if skip(symbol: ":") {
                isSlice = true
                parts.append(nil)
                guard parts.count <= 3 else { throw error("too many ':' in slice") }
            } else {
                guard parts[parts.count - 1] == nil else { throw error("expected ']' or ':', found \(current.display)") }
                parts[parts.count - 1] = try parseExpression()
            }
        }
        try expect(symbol: "]")
        if !isSlice {
            guard let key = parts[0] else { throw error("empty subscript") }
            return .index(base, key)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2])
    }

    /// Arguments after `(` up to and including `)`.
    mutating func parseArguments() throws(ChatTemplateError) -> TemplateArguments {
        var args = TemplateArguments()
        while !isSymbol(")") {
            if case let .name(n) = current.kind, index + 1 < tokens.count, tokens[index + 1].kind == .symbol("=") {
                index += 2
                args.keyword.append((n, try parseExpression()))
            } else {
                guard args.keyword.isEmpty else { throw error("positional argument after keyword argument") }
                args.positional.append(try parseExpression())
            }
            if !skip(symbol: ",") { break }
        }
        try expect(symbol: ")")
        return args
    }

    mutating func parseFilters(_ base: TemplateExpression) throws(ChatTemplateError) -> TemplateExpression {
        var node = base
        while true {
            if skip(symbol: "|") {
                let name = try expectName()
                var args = TemplateArguments()
                if skip(symbol: "(") { args = try parseArguments() }
                node = try parsePostfix(.filter(node, name, args))
            } else if skip(name: "is") {
                let negated = skip(name: "not")
                let name = try expectName()
                var args = TemplateArguments()
                if skip(symbol: "(") {
                    args = try parseArguments()
                } else if startsTestArgument {
                    args.positional = [try parsePostfix(try parsePrimary())]
                }
                node = .test(node, name, args, negated: negated)
            } else {
                return node
            }
        }
    }

    private var startsTestArgument: Bool {
        switch current.kind {
        case let .name(n): !["else", "or", "and", "if", "is", "not", "in"].contains(n)
        case .string, .integer, .float, .symbol("["), .symbol("{"): true
        default: false
        }
    }
}
