/// Scores a request's complexity from cheap text features: its length, the conversation's depth,
/// reasoning and analysis keywords, code, mathematics and the requested output length.
public struct ComplexityScorer: Sendable {
    public let configuration: RoutingConfiguration

    public init(configuration: RoutingConfiguration) {
        self.configuration = configuration
    }

    static let reasoningPhrases = [
        "why", "explain", "analyze", "analyse", "analysis", "compare", "contrast", "evaluate", "prove", "proof",
        "derive", "step by step", "reason", "trade-off", "tradeoff", "pros and cons", "implications", "critique",
        "justify", "design", "architecture", "optimize", "optimise", "strategy", "in depth", "detailed",
        "comprehensive", "assess", "argue", "hypothesis", "debug", "refactor",
    ]
    static let codeHints = [
        "code", "function", "program", "script", "implement", "class", "algorithm", "regex", "sql", "python",
        "javascript", "swift", "rust", "golang", "c++", "java", "bash", "compile", "api",
    ]
    static let codeMarkers = ["```", "def ", "func ", "fn ", "class ", "#include", "import ", "return ", "=>", "};", "();"]
    static let mathHints = [
        "equation", "integral", "derivative", "solve", "calculate", "probability", "matrix", "theorem",
        "sqrt", "\\frac", "sum of", "factor", "prime", "logarithm", "modulo",
    ]

    /// The score of one request.
    public func score(_ request: RoutingRequest) -> ComplexityScore {
        let c = configuration
        let last = request.messages.last { $0.role == "user" }?.text ?? request.messages.last?.text ?? ""
        let lower = last.lowercased()
        let all = request.messages.reduce(0) { $0 + $1.text.count }

        let length = min(1, Double(all) / Double(max(1, c.lengthSaturation)))
        let turns = request.messages.filter { $0.role == "user" || $0.role == "assistant" }.count
        let depth = min(1, Double(max(0, turns - 1)) / Double(max(1, c.depthSaturation)))
        let reasoningHits = Self.reasoningPhrases.reduce(0) { $0 + (Self.containsWord($1, in: lower) ? 1 : 0) }
        let reasoning = min(1, Double(reasoningHits) / 3)
        let code: Double = Self.codeMarkers.contains { last.contains($0) } ? 1
            : Self.codeHints.contains { Self.containsWord($0, in: lower) } ? 0.5 : 0
        let mathHits = Self.mathHints.reduce(0) { $0 + (lower.contains($1) ? 1 : 0) } + (Self.hasArithmetic(last) ? 1 : 0)
        let math = min(1, Double(mathHits) / 2)
        let output = request.maxTokens.map { min(1, Double($0) / Double(max(1, c.outputSaturation))) } ?? 0

        let w = c.weights
        let score = (w.length * length + w.depth * depth + w.reasoning * reasoning + w.code * code + w.math * math
                     + w.output * output) / w.total
        return ComplexityScore(score: min(1, max(0, score)), length: length, depth: depth, reasoning: reasoning,
                               code: code, math: math, output: output)
    }

    /// `phrase` at word boundaries in `text` (both lower-case).
    static func containsWord(_ phrase: String, in text: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: phrase, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !(before?.isLetter ?? false), !(after?.isLetter ?? false) { return true }
            searchStart = range.upperBound
        }
        return false
    }

    /// Digits joined by an arithmetic operator, e.g. `3 * 4`, `x^2`, `12/7`.
    static func hasArithmetic(_ text: String) -> Bool {
        let chars = Array(text)
        for (i, ch) in chars.enumerated() where "+-*/^=".contains(ch) {
            var l = i - 1, r = i + 1
            while l >= 0, chars[l] == " " { l -= 1 }
            while r < chars.count, chars[r] == " " { r += 1 }
            if l >= 0, r < chars.count, chars[l].isNumber || chars[l].isLetter && chars[l].isASCII && ch == "^",
               chars[r].isNumber {
                return true
            }
        }
        return false
    }
}
