/// One lexical token of a template: literal text, a tag delimiter, or a token inside a tag.
struct TemplateToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case text(String)
        case expressionOpen, expressionClose, blockOpen, blockClose
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case symbol(String)
        case end
    }

    var kind: Kind
    var line: Int
    var column: Int

    /// Short description for error messages.
    var display: String {
        switch kind {
        case let .text(t): "text \(TemplateValue.pythonQuoted(String(t.prefix(20))))"
        case .expressionOpen: "'{{'"
        case .expressionClose: "'}}'"
        case .blockOpen: "'{%'"
        case .blockClose: "'%}'"
        case let .name(n): "'\(n)'"
        case let .string(s): TemplateValue.pythonQuoted(s)
        case let .integer(i): "\(i)"
        case let .float(d): "\(d)"
        case let .symbol(s): "'\(s)'"
        case .end: "end of template"
        }
    }
}
