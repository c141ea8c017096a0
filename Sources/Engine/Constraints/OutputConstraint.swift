import Foundation

/// Constrained decoding for one sequence: only tokens that keep the output a prefix of a document valid against
/// `grammar` may be sampled, end-of-generation only once the document is complete, and generation ends as soon as
/// nothing but whitespace could follow.
///
/// With a ``ConstraintTrigger`` the constraint is lazy (tool calls): the text is free until the trigger text (e.g.
/// `<tool_call>`) appears, then the bytes after it must form one document; once it is complete the text is free
/// again (another trigger starts another document) or, with `trigger.once` or for a document that began the output
/// (a start text), generation ends.
///
/// Cost: the sampler first draws as usual and asks ``allows(_:)`` (a few bytes through the matcher); only when the
/// model wanted a forbidden token is the full mask computed (``restrict(_:)``, one pass over the vocabulary trie)
/// and the draw repeated from the allowed tokens. Drawing from the full distribution and keeping the token when it is
/// allowed, else drawing from the masked one, yields exactly the masked distribution.
public struct OutputConstraint: Sendable {
    public let grammar: JSONSchemaGrammar
    public let vocabulary: TokenVocabulary
    public let trigger: ConstraintTrigger?
    public private(set) var matcher: JSONMatcher
    /// Whether the bytes now generated must follow the grammar (always, without a trigger).
    public private(set) var isActive: Bool
    /// Documents completed so far (lazy mode).
    public private(set) var completedDocuments = 0
    /// While free: the last bytes generated, as many as could start the trigger.
    private var recent: [UInt8] = []
    /// The output so far while it may still begin with one of the trigger's start texts.
    private var start: [UInt8]? = []
    /// The open document began the output (a bare call): generation ends with it.
    private var openedAtStart = false
    /// The first step has decided whether the output opens with a document (`trigger.openingThreshold`).
    private var openingDecided = false
    /// It decided that it does: until something other than whitespace is written, only opening tokens may come.
    private var mustOpen = false

    /// With a `trigger`, `active` starts with a document open (the trigger was written into the prompt: a required
    /// tool call); without one the constraint is always active.
    public init(grammar: JSONSchemaGrammar, vocabulary: TokenVocabulary, trigger: ConstraintTrigger? = nil, active: Bool = false) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        self.trigger = trigger
        self.matcher = JSONMatcher(grammar: grammar)
        self.isActive = trigger == nil || active
        if active { start = nil }
    }

    /// Whether `token` may come next.
    public func allows(_ token: Int32) -> Bool {
        guard token >= 0, Int(token) < vocabulary.count else { return false }
        let bytes = vocabulary.bytes[Int(token)]
        guard isActive else {
            // Free text; a token completing the trigger must continue with bytes the grammar accepts.
            guard let trigger else { return true }
            if mustOpen, !trigger.mayBeginOpening(bytes) { return false }
            guard let document = trigger.scan(recent: recent, start: start, token: bytes).document else { return true }
            return document.isEmpty || JSONMatcher(grammar: grammar).accepts(document)
        }
        if bytes.isEmpty { return vocabulary.endOfGeneration.contains(token) && matcher.canFinish }
        return matcher.accepts(bytes)
    }

    /// Sets the logit of every token that may not come next to -∞. Returns false when no token may (cannot happen
    /// for a satisfiable schema before `maxTokens`).
    @discardableResult
    public func restrict(_ logits: UnsafeMutableBufferPointer<Float>) -> Bool {
        var allowed = [Bool](repeating: false, count: vocabulary.count)
        if isActive {
            vocabulary.collectAllowed(matcher, into: &allowed)
        } else {
            // Free text: only the rare token that completes the trigger with a bad continuation is refused.
            for i in allowed.indices { allowed[i] = allows(Int32(i)) }
        }
        var any = false
        for i in 0..<min(logits.count, allowed.count) {
            if allowed[i] { any = true } else { logits[i] = -.infinity }
        }
        for i in allowed.count..<logits.count { logits[i] = -.infinity }
        return any
    }

    /// Whether the next step decides if the output opens with a document: lazy with an opening threshold, and
    /// nothing written yet.
    public var decidesOpening: Bool { !openingDecided && !isActive && trigger?.openingThreshold != nil && start == [] }

    /// Makes the first step's decision from the model's `logits` (unmodified; `logSumExp` over them): the output opens
    /// with a document when the opening tokens together have at least the trigger's `openingThreshold` probability.
    /// One pass over the vocabulary, once per generation.
    public mutating func decideOpening(_ logits: UnsafeBufferPointer<Float>, logSumExp: Float) {
        openingDecided = true
        guard let trigger, let threshold = trigger.openingThreshold else { return }
        var mass: Float = 0
        for id in 0..<min(logits.count, vocabulary.count) where trigger.opensDocument(vocabulary.bytes[id]) {
            mass += expf(logits[id] - logSumExp)
        }
        mustOpen = mass >= threshold
    }

    /// Records the sampled `token`.
    public mutating func accept(_ token: Int32) {
        guard token >= 0, Int(token) < vocabulary.count else { return }
        let bytes = vocabulary.bytes[Int(token)]
        if mustOpen, !bytes.allSatisfy(ConstraintTrigger.isSpace) { mustOpen = false }
        if isActive {
            matcher.advance(bytes)
        } else if let trigger {
            let scan = trigger.scan(recent: recent, start: start, token: bytes)
            recent = scan.recent
            start = scan.start
            if let document = scan.document {
                isActive = true
                openedAtStart = scan.atStart
                matcher = JSONMatcher(grammar: grammar)
                matcher.advance(document)
            }
        }
        if trigger != nil, isActive, matcher.mustFinish {
            completedDocuments += 1
            if trigger?.once == false, !openedAtStart { isActive = false }
        }
    }

    /// The output so far is a complete document (lazy mode: no document is open).
    public var isComplete: Bool { isActive ? matcher.canFinish : true }

    /// Generation should stop: the document is complete and only whitespace could follow (lazy mode with
    /// `once`: the first document is complete).
    public var mustFinish: Bool {
        guard let trigger else { return matcher.mustFinish }
        return (trigger.once || openedAtStart) && completedDocuments > 0
    }
}
