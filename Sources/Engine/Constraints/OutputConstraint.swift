/// Constrained decoding for one sequence: only tokens that keep the output a prefix of a document valid against
/// `grammar` may be sampled, end-of-generation only once the document is complete, and generation ends as soon as
/// nothing but whitespace could follow.
///
/// Cost: the sampler first draws as usual and asks ``allows(_:)`` (a few bytes through the matcher); only when the
/// model wanted a forbidden token is the full mask computed (``restrict(_:)``, one pass over the vocabulary trie)
/// and the draw repeated from the allowed tokens. Drawing from the full distribution and keeping the token when it is
/// allowed, else drawing from the masked one, yields exactly the masked distribution.
public struct OutputConstraint: Sendable {
    public let grammar: JSONSchemaGrammar
    public let vocabulary: TokenVocabulary
    public private(set) var matcher: JSONMatcher

    public init(grammar: JSONSchemaGrammar, vocabulary: TokenVocabulary) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        self.matcher = JSONMatcher(grammar: grammar)
    }

    /// Whether `token` may come next.
    public func allows(_ token: Int32) -> Bool {
        guard token >= 0, Int(token) < vocabulary.count else { return false }
        let bytes = vocabulary.bytes[Int(token)]
        if bytes.isEmpty { return vocabulary.endOfGeneration.contains(token) && matcher.canFinish }
        return matcher.accepts(bytes)
    }

    /// Sets the logit of every token that may not come next to -∞. Returns false when no token may (cannot happen
    /// for a satisfiable schema before `maxTokens`).
    @discardableResult
    public func restrict(_ logits: UnsafeMutableBufferPointer<Float>) -> Bool {
        var allowed = [Bool](repeating: false, count: vocabulary.count)
        vocabulary.collectAllowed(matcher, into: &allowed)
        var any = false
        for i in 0..<min(logits.count, allowed.count) {
            if allowed[i] { any = true } else { logits[i] = -.infinity }
        }
        for i in allowed.count..<logits.count { logits[i] = -.infinity }
        return any
    }

    /// Records the sampled `token`.
    public mutating func accept(_ token: Int32) {
        guard token >= 0, Int(token) < vocabulary.count else { return }
        matcher.advance(vocabulary.bytes[Int(token)])
    }

    /// The output so far is a complete document.
    public var isComplete: Bool { matcher.canFinish }

    /// The document is complete and only whitespace could follow: generation should stop.
    public var mustFinish: Bool { matcher.mustFinish }
}
