/// A span of a Markdown text the translator must not touch (inline code, a link's destination, a URL, inline HTML), or
/// a glossary term whose required translation is already decided. The model sees ``token`` (`⟦3⟧`) instead and is told
/// to keep it; ``original`` replaces the token in its answer.
struct TranslationPlaceholder: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// Inline code (`` `x` ``), or a literal `⟦` / `⟧` of the source.
        case code
        /// A link's destination or reference right after its text's `]`: `(https://… "title")`, `[ref]` (whitespace a
        /// model puts between the `]` and it is removed).
        case link
        /// A footnote reference `[^1]`.
        case footnote
        /// A bare URL or an autolink `<https://…>`.
        case url
        /// An inline HTML tag or comment.
        case html
        /// A glossary term replaced by its required translation (``TranslationGlossary/protecting(_:)``).
        case term
    }

    /// Its number within its block; the token is `⟦number⟧`.
    let number: Int
    /// What the token stands for in the translated text.
    let original: String
    let kind: Kind

    /// The text the model sees: `⟦number⟧`.
    var token: String { Self.token(number) }

    static func token(_ number: Int) -> String { "⟦\(number)⟧" }
}
