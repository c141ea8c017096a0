import Gateway
import LanguageID

extension ChatPlanner {
    /// Below this confidence the identified language is not trusted for routing or the cache context.
    static let languageConfidence = 0.6
    /// Prompts with fewer letters than this are too short to identify.
    static let languageMinimumLetters = 12

    /// The language of the last user turn, when identification is at hand (compiled profiles map in milliseconds;
    /// missing ones are fetched in the background, never on a request's time) and sure of itself; nil otherwise.
    func promptLanguage(_ body: ChatCompletionRequest) async -> String? {
        guard let identifier = await state.languages.quickIdentifier() else { return nil }
        guard let text = body.messages.last(where: { $0.role == "user" })?.content,
              text.unicodeScalars.lazy.filter({ $0.properties.isAlphabetic }).count >= Self.languageMinimumLetters else { return nil }
        let detection = identifier.detect(text, candidates: 1)
        guard detection.language != "und", detection.confidence >= Self.languageConfidence else { return nil }
        return detection.language
    }
}
