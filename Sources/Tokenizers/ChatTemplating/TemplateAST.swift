/// Expression syntax tree.
indirect enum TemplateExpression: Sendable {
    case literal(TemplateValue)
    case variable(String)
    case list([TemplateExpression])
    case dictionary([(TemplateExpression, TemplateExpression)])
    case attribute(TemplateExpression, String)
    case index(TemplateExpression, TemplateExpression)
    case slice(TemplateExpression, start: TemplateExpression?, stop: TemplateExpression?, step: TemplateExpression?)
    case call(TemplateExpression, TemplateArguments)
    case filter(TemplateExpression, String, TemplateArguments)
    case test(TemplateExpression, String, TemplateArguments, negated: Bool)
    /// `-`, `+` or `not`.
    case unary(String, TemplateExpression)
    /// Arithmetic, `~`, `and`, `or`.
    case binary(String, TemplateExpression, TemplateExpression)
    /// A (possibly chained) comparison: `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`.
    case compare(TemplateExpression, [(String, TemplateExpression)])
    case conditional(TemplateExpression, condition: TemplateExpression, otherwise: TemplateExpression?)
}

/// Positional and keyword arguments of a call, filter or test.
struct TemplateArguments: Sendable {
    var positional: [TemplateExpression] = []
    var keyword: [(String, TemplateExpression)] = []
}

/// Statement syntax tree.
indirect enum TemplateNode: Sendable {
    case text(String)
    case output(TemplateExpression)
    case conditional([(TemplateExpression, [TemplateNode])], otherwise: [TemplateNode])
    case loop(TemplateLoop)
    /// `{% set name = value %}` or `{% set ns.attr = value %}` (attribute non-nil).
    case assign(names: [String], attribute: String?, TemplateExpression)
    /// `{% set name %}…{% endset %}`.
    case assignBlock(String, [TemplateNode])
    case macro(TemplateMacro)
    case breakLoop
    case continueLoop
    /// A block rendered as-is (`{% generation %}`).
    case group([TemplateNode])
}

/// A `{% for %}` statement.
struct TemplateLoop: Sendable {
    var targets: [String]
    var iterable: TemplateExpression
    var filter: TemplateExpression?
    var body: [TemplateNode]
    var otherwise: [TemplateNode]
}

/// A `{% macro %}` definition.
struct TemplateMacro: Sendable {
    var name: String
    var parameters: [(String, TemplateExpression?)]
    var body: [TemplateNode]
}
