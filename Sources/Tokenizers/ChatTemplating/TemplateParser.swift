/// Recursive-descent parser from tokens to statement trees; expressions are in `TemplateParser+Expressions`.
struct TemplateParser {
    var tokens: [TemplateToken]
    var index = 0
    let maxNesting: Int
    var nesting = 0

    init(tokens: [TemplateToken], maxNesting: Int) {
        self.tokens = tokens
        self.maxNesting = maxNesting
    }

    /// Parses a whole template.
    mutating func parseTemplate() throws(ChatTemplateError) -> [TemplateNode] {
        let (nodes, end) = try parseNodes(until: [])
        if let end { throw error("unexpected '\(end)' tag") }
        return nodes
    }

    // MARK: Token helpers

    var current: TemplateToken { tokens[index] }

    mutating func advance() -> TemplateToken {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func error(_ message: String, _ token: TemplateToken? = nil) -> ChatTemplateError {
        let t = token ?? current
        return .syntax(message: message, line: t.line, column: t.column)
    }

    func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }
    func isName(_ s: String) -> Bool { current.kind == .name(s) }

    mutating func skip(symbol s: String) -> Bool {
        if isSymbol(s) { index += 1; return true }
        return false
    }

    mutating func skip(name s: String) -> Bool {
        if isName(s) { index += 1; return true }
        return false
    }

    mutating func expect(symbol s: String) throws(ChatTemplateError) {
        guard skip(symbol: s) else { throw error("expected '\(s)', found \(current.display)") }
    }

    mutating func expect(name s: String) throws(ChatTemplateError) {
        guard skip(name: s) else { throw error("expected '\(s)', found \(current.display)") }
    }

    mutating func expectName() throws(ChatTemplateError) -> String {
        guard case let .name(n) = current.kind else { throw error("expected a name, found \(current.display)") }
        index += 1
        return n
    }

    mutating func expectBlockClose() throws(ChatTemplateError) {
        guard current.kind == .blockClose else { throw error("expected '%}', found \(current.display)") }
        index += 1
    }

    mutating func enter() throws(ChatTemplateError) {
        nesting += 1
        if nesting > maxNesting { throw .limitExceeded("template nesting deeper than \(maxNesting) at \(current.line):\(current.column)") }
    }

    mutating func leave() { nesting -= 1 }

    // MARK: Statements

    /// Parses nodes until a block tag whose keyword is in `enders` (consumed, along with `{%`; the rest of
    /// that tag is left for the caller) or the end of input (returns nil).
    mutating func parseNodes(until enders: Set<String>) throws(ChatTemplateError) -> ([TemplateNode], String?) {
        try enter()
        defer { leave() }
        var nodes: [TemplateNode] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                if !enders.isEmpty {
                    throw error("unexpected end of template, expected one of: \(enders.sorted().joined(separator: ", "))")
                }
                return (nodes, nil)
            case let .text(t):
                index += 1
                nodes.append(.text(t))
            case .expressionOpen:
                index += 1
                let e = try parseExpression()
                guard current.kind == .expressionClose else { throw error("expected '}}', found \(current.display)") }
                index += 1
                nodes.append(.output(e))
            case .blockOpen:
                index += 1
                guard case let .name(keyword) = current.kind else { throw error("expected a tag name, found \(current.display)") }
                if enders.contains(keyword) {
                    index += 1
                    return (nodes, keyword)
                }
                nodes.append(try parseStatement())
            default:
                throw error("unexpected \(token.display)")
            }
        }
    }

    private mutating func parseStatement() throws(ChatTemplateError) -> TemplateNode {
        let keywordToken = current
        let keyword = try expectName()
        switch keyword {
        case "if": return try parseIf()
        case "for": return try parseFor()
        case "set": return try parseSet()
        case "macro": return try parseMacro()
        case "break", "continue":
            try expectBlockClose()
            return keyword == "break" ? .breakLoop : .continueLoop
        case "generation":
            try expectBlockClose()
            let (body, _) = try parseNodes(until: ["endgeneration"])
            try expectBlockClose()
            return .group(body)
        default:
            throw error("unknown tag '\(keyword)'", keywordToken)
        }
    }

    private mutating func parseIf() throws(ChatTemplateError) -> TemplateNode {
        var branches: [(TemplateExpression, [TemplateNode])] = []
        var condition = try parseExpression()
        while true {
            try expectBlockClose()
            let (body, end) = try parseNodes(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch end {
            case "elif":
                condition = try parseExpression()
            case "else":
                try expectBlockClose()
                let (otherwise, _) = try parseNodes(until: ["endif"])
                try expectBlockClose()
                return .conditional(branches, otherwise: otherwise)
            default:
                try expectBlockClose()
                return .conditional(branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor() throws(ChatTemplateError) -> TemplateNode {
        var targets = [try expectName()]
        while skip(symbol: ",") { targets.append(try expectName()) }
        try expect(name: "in")
        let iterable = try parseOr()
        var filter: TemplateExpression?
        if skip(name: "if") { filter = try parseOr() }
        if isName("recursive") { throw .unknown("recursive loops") }
        try expectBlockClose()
        let (body, end) = try parseNodes(until: ["else", "endfor"])
        var otherwise: [TemplateNode] = []
        if end == "else" {
            try expectBlockClose()
            (otherwise, _) = try parseNodes(until: ["endfor"])
        }
        try expectBlockClose()
        return .loop(TemplateLoop(targets: targets, iterable: iterable, filter: filter, body: body, otherwise: otherwise))
    }

    private mutating func parseSet() throws(ChatTemplateError) -> TemplateNode {
        var names = [try expectName()]
        var attribute: String?
        if skip(symbol: ".") {
            attribute = try expectName()
        } else {
            while skip(symbol: ",") { names.append(try expectName()) }
        }
        if current.kind == .blockClose, attribute == nil, names.count == 1 {
            index += 1
            let (body, _) = try parseNodes(until: ["endset"])
            try expectBlockClose()
            return .assignBlock(names[0], body)
        }
        try expect(symbol: "=")
        let value = try parseTupleOrExpression()
        try expectBlockClose()
        return .assign(names: names, attribute: attribute, value)
    }

    private mutating func parseMacro() throws(ChatTemplateError) -> TemplateNode {
        let name = try expectName()
        try expect(symbol: "(")
        var parameters: [(String, TemplateExpression?)] = []
        while !isSymbol(")") {
            let p = try expectName()
            parameters.append((p, skip(symbol: "=") ? try parseExpression() : nil))
            if !skip(symbol: ",") { break }
        }
        try expect(symbol: ")")
        try expectBlockClose()
        let (body, _) = try parseNodes(until: ["endmacro"])
        try expectBlockClose()
        return .macro(TemplateMacro(name: name, parameters: parameters, body: body))
    }
}
