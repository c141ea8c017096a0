/// What ``LanguageIdentifier`` concluded about a text.
public struct LanguageDetection: Sendable, Equatable, Codable {
    /// One language and how likely it is.
    public struct Candidate: Sendable, Equatable, Codable {
        /// ISO 639-1 code (ISO 639-3 where the language has none).
        public let language: String
        /// Probability, 0…1; the candidates' sum to at most 1.
        public let confidence: Double
    }

    /// The most likely language (ISO 639-1, or 639-3 where there is no 639-1 code), or `"und"` when the text has
    /// no letters or is written in a script no known language uses.
    public let language: String
    /// How likely ``language`` is, 0…1.
    public let confidence: Double
    /// The text's main script (ISO 15924, e.g. `Latn`, `Cyrl`, `Jpan`), or nil when it has no letters.
    public let script: String?
    /// The likeliest languages, best first (``language`` included).
    public let candidates: [Candidate]

    public init(language: String, confidence: Double, script: String?, candidates: [Candidate]) {
        self.language = language
        self.confidence = confidence
        self.script = script
        self.candidates = candidates
    }

    private enum CodingKeys: String, CodingKey { case language, confidence, script, candidates }

    /// Encodes every field, `script` as null when there is none (clients see the same keys every time).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(language, forKey: .language)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(script, forKey: .script)
        try container.encode(candidates, forKey: .candidates)
    }

    /// No letters: nothing to go on.
    static let undetermined = LanguageDetection(language: "und", confidence: 0, script: nil, candidates: [])
}
