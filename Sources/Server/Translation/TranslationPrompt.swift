import Foundation
import Gateway

/// The chat request that translates one unit, in one of two formats:
///
/// - ``Format/instruction`` (any chat model): a system message — "You are a professional translator. Translate the
///   user's text from English (or "the source language" when it is unknown) to French. Output only the translation…",
///   the rule to keep every `⟦n⟧` token, one line per glossary term present in the unit ("server → serveur-X"), the
///   domain and the register — and the unit as the user message.
/// - ``Format/qwenMT`` (a Qwen-MT style translation model behind a remote backend, named like `qwen-mt-turbo` or with an
///   `mt` word in its id or remote name): the unit alone as the user message and Alibaba's `translation_options`
///   field (`source_lang` — `auto` when unknown —, `target_lang`, `terms` with the glossary and the tokens mapped to
///   themselves, `domains` with the domain and register hints), which the backend receives as it is. A local model
///   named so gets the instruction format: the local engine has no use for `translation_options`.
///
/// Both decode greedily (`temperature: 0`) with `max_tokens` scaled to the unit's length (``maxTokens(for:)``).
struct TranslationPrompt: Sendable {
    enum Format: Sendable, Equatable { case instruction, qwenMT }

    /// The register asked for (`formality`).
    enum Formality: String, Sendable, CaseIterable { case formal, informal, `default` }

    /// The source language's name; nil when unknown.
    var source: String?
    /// The target language's name.
    var target: String
    /// The glossary entries present in the unit.
    var glossary: [TranslationGlossary.Entry] = []
    /// A free-text hint: "legal", "medical", "software documentation".
    var domain: String?
    var formality: Formality = .default

    /// The format for `model` (the named model's configuration; nil when routing chooses).
    static func format(for model: ServedModel?) -> Format {
        guard let model, let remote = model.remote else { return .instruction }
        let names = [model.id, model.source, remote.model ?? ""].map { $0.lowercased() }
        let isMT = names.contains { name in
            name.contains("qwen-mt") || name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).contains("mt")
        }
        return isMT ? .qwenMT : .instruction
    }

    /// The system message of the instruction format for a unit (`placeholders`: whether it holds `⟦n⟧` tokens).
    func system(placeholders: Bool) -> String {
        var lines = [
            "You are a professional translator. Translate the user's text from \(source ?? "the source language") to \(target).",
            "Output only the translation: no explanations, notes, quotes or code fences. Keep the Markdown formatting (emphasis, links) as it is.",
        ]
        if placeholders {
            lines.append("Keep every marker like ⟦1⟧ exactly as written, once each, where it belongs in the sentence: "
                         + "it stands for code, a link or a term that must not change.")
        }
        if !glossary.isEmpty {
            lines.append("Translate these terms exactly as given:")
            lines += glossary.map { "\($0.source) → \($0.target) (use exactly)" }
        }
        if let domain, !domain.isEmpty { lines.append("Domain: \(domain). Use its usual terminology.") }
        switch formality {
        case .formal: lines.append("Use a formal register (the polite form of address).")
        case .informal: lines.append("Use an informal, familiar register.")
        case .default: break
        }
        return lines.joined(separator: "\n")
    }

    /// The chat completion body translating `unit` with `model` (`auto` or a configured id). `nudged` (instruction
    /// format only) repeats the order in the user message — "Translate into French:" before the text — for a second
    /// try after a model answered with the text unchanged.
    func chatBody(_ unit: TranslationUnit, model: String, format: Format, nudged: Bool = false) -> [String: Any] {
        var body: [String: Any] = ["model": model, "temperature": 0, "max_tokens": Self.maxTokens(for: unit.text)]
        switch format {
        case .instruction:
            body["messages"] = [["role": "system", "content": system(placeholders: !unit.placeholders.isEmpty)],
                                ["role": "user", "content": nudged ? "Translate into \(target):\n\n\(unit.text)" : unit.text]]
        case .qwenMT:
            body["messages"] = [["role": "user", "content": unit.text]]
            var options: [String: Any] = ["source_lang": source ?? "auto", "target_lang": target]
            let terms = glossary.map { ["source": $0.source, "target": $0.target] }
                + unit.placeholders.map { ["source": $0.token, "target": $0.token] }
            if !terms.isEmpty { options["terms"] = terms }
            var hints: [String] = []
            if let domain, !domain.isEmpty { hints.append("The text is from the \(domain) domain; use its terminology.") }
            if formality != .default { hints.append("Translate in a \(formality.rawValue) register.") }
            if !hints.isEmpty { options["domains"] = hints.joined(separator: " ") }
            body["translation_options"] = options
        }
        return body
    }

    /// Room for the translation: about three times the source's tokens (a quarter token per ASCII character, two per
    /// other character, which covers scripts that take more tokens than English), plus 24, at most 4,096.
    static func maxTokens(for text: String) -> Int {
        let weight = text.unicodeScalars.reduce(0) { $0 + ($1.isASCII ? 3 : 8) }
        return min(4096, 24 + weight / 4)
    }

    /// The translation without what models wrap it in: surrounding whitespace, a "Translation:" / "Here is the
    /// translation:" first line or prefix, a code fence, quotes around the whole answer, or a full stop at the end —
    /// each only when the source did not have it.
    static func clean(_ output: String, source: String) -> String {
        var text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if !source.prefix(60).contains(":"), let colon = text.prefix(60).firstIndex(of: ":") {
            let label = text[..<colon].lowercased()
            let labels = ["translation", "traduction", "traducción", "tradução", "traduzione", "übersetzung", "vertaling", "翻译", "翻訳"]
            if labels.contains(where: label.contains), !label.contains("⟦") {
                text = text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        if text.hasPrefix("```"), text.hasSuffix("```"), !source.hasPrefix("```"), text.count > 6 {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count >= 3 { text = lines.dropFirst().dropLast().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        let quotes: [(Character, Character)] = [("\"", "\""), ("“", "”"), ("«", "»"), ("„", "“"), ("'", "'"), ("「", "」"), ("‘", "’")]
        let quoteMarks = Set(quotes.flatMap { [$0.0, $0.1] })
        let quoted = source.first.map(quoteMarks.contains) == true && source.last.map(quoteMarks.contains) == true
        for (open, close) in quotes where !quoted && text.count >= 2 && text.first == open && text.last == close {
            let inner = text.dropFirst().dropLast()
            if !inner.contains(open), !inner.contains(close) { text = inner.trimmingCharacters(in: .whitespaces) }
            break
        }
        // A heading or a table cell comes back with a full stop it did not have.
        if text.hasSuffix("."), !text.hasSuffix(".."), let last = source.last, !".!?…:;。！？".contains(last),
           !source.contains(where: \.isNewline),
           text.filter({ ".!?".contains($0) }).count == 1 {
            text.removeLast()
        }
        return text
    }
}
