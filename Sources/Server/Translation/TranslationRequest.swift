import Foundation

/// The checked body of `POST /v1/translate`. Every problem is a 400 naming the field (`APIError.invalidParameter`):
/// an unknown field, `text` missing, empty, not a string or list of strings, more than ``maxTexts`` texts or more than
/// ``maxCharacters`` characters in all; `target_lang` missing or not a language; a `glossary` that is not an object of
/// non-empty strings; a `formality` other than `formal`, `informal` or `default`.
struct TranslationRequest: Sendable {
    static let fields: Set = ["text", "target_lang", "source_lang", "model", "glossary", "domain", "formality"]
    static let maxTexts = 64
    static let maxCharacters = 100_000
    static let maxGlossaryTerms = 256

    /// The texts, in order (one when `text` was a string).
    let texts: [String]
    let target: TranslationLanguage
    /// The source language; nil when absent or `auto`.
    let source: TranslationLanguage?
    /// A configured model id, or `auto`.
    let model: String
    let glossary: TranslationGlossary
    let domain: String?
    let formality: TranslationPrompt.Formality

    init(json body: [String: Any]) throws {
        if let unknown = body.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw APIError.invalidParameter("unknown field '\(unknown)'; expected \(Self.fields.sorted().joined(separator: ", "))", param: unknown)
        }
        texts = try Self.texts(body["text"])
        guard let targetText = body["target_lang"] as? String, !targetText.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.invalidParameter("'target_lang' is required: an ISO 639-1 code such as \"fr\" or a language name", param: "target_lang")
        }
        guard let target = TranslationLanguage(targetText) else {
            throw APIError.invalidParameter(
                "'target_lang' must be an ISO 639-1 code such as \"fr\" or a language name (got '\(targetText.prefix(60))')", param: "target_lang")
        }
        self.target = target
        switch body["source_lang"] {
        case nil, is NSNull:
            source = nil
        case let text as String where ["", "auto"].contains(text.trimmingCharacters(in: .whitespaces).lowercased()):
            source = nil
        case let text as String:
            guard let language = TranslationLanguage(text) else {
                throw APIError.invalidParameter("'source_lang' must be an ISO 639-1 code, a language name or \"auto\" (got '\(text.prefix(60))')",
                                                param: "source_lang")
            }
            source = language
        default:
            throw APIError.invalidParameter("'source_lang' must be a string", param: "source_lang")
        }
        switch body["model"] {
        case nil, is NSNull: model = "auto"
        case let name as String: model = name.isEmpty ? "auto" : name
        default: throw APIError.invalidParameter("'model' must be a string", param: "model")
        }
        glossary = try Self.glossary(body["glossary"])
        switch body["domain"] {
        case nil, is NSNull: domain = nil
        case let text as String where text.count <= 200: domain = text.trimmingCharacters(in: .whitespacesAndNewlines)
        default: throw APIError.invalidParameter("'domain' must be a string of at most 200 characters", param: "domain")
        }
        if body["formality"] == nil || body["formality"] is NSNull {
            formality = .default
        } else if let text = body["formality"] as? String, let value = TranslationPrompt.Formality(rawValue: text) {
            formality = value
        } else {
            throw APIError.invalidParameter("'formality' must be one of formal, informal, default", param: "formality")
        }
    }

    private static func texts(_ value: Any?) throws -> [String] {
        let texts: [String]
        switch value {
        case let text as String:
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw APIError.invalidParameter("'text' must not be empty", param: "text")
            }
            texts = [text]
        case let list as [Any]:
            guard !list.isEmpty else { throw APIError.invalidParameter("'text' must hold at least one text", param: "text") }
            guard list.count <= maxTexts else {
                throw APIError.invalidParameter("'text' holds \(list.count) texts; at most \(maxTexts) per request", param: "text")
            }
            texts = try list.enumerated().map { index, item in
                guard let text = item as? String else {
                    throw APIError.invalidParameter("'text[\(index)]' must be a string", param: "text[\(index)]")
                }
                guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw APIError.invalidParameter("'text[\(index)]' must not be empty", param: "text[\(index)]")
                }
                return text
            }
        case nil, is NSNull:
            throw APIError.invalidParameter("'text' is required: a string or a list of strings", param: "text")
        default:
            throw APIError.invalidParameter("'text' must be a string or a list of strings", param: "text")
        }
        let total = texts.reduce(0) { $0 + $1.count }
        guard total <= maxCharacters else {
            throw APIError.invalidParameter("'text' holds \(total) characters; at most \(maxCharacters) per request", param: "text")
        }
        return texts
    }

    private static func glossary(_ value: Any?) throws -> TranslationGlossary {
        switch value {
        case nil, is NSNull:
            return TranslationGlossary([:])
        case let object as [String: Any]:
            guard object.count <= maxGlossaryTerms else {
                throw APIError.invalidParameter("'glossary' holds \(object.count) terms; at most \(maxGlossaryTerms)", param: "glossary")
            }
            var terms: [String: String] = [:]
            for (term, translation) in object {
                let source = term.trimmingCharacters(in: .whitespacesAndNewlines)
                guard let target = (translation as? String)?.trimmingCharacters(in: .whitespacesAndNewlines), !source.isEmpty, !target.isEmpty,
                      source.count <= 200, target.count <= 200 else {
                    throw APIError.invalidParameter("'glossary' must map each source term to its required translation, both non-empty strings "
                                                    + "of at most 200 characters (bad entry: '\(term.prefix(60))')", param: "glossary")
                }
                terms[source] = target
            }
            return TranslationGlossary(terms)
        default:
            throw APIError.invalidParameter("'glossary' must be an object mapping source terms to their required translations", param: "glossary")
        }
    }
}
