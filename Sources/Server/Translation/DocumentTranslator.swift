import Foundation
import Gateway
import HTTPTypes
import Logging
import NIOCore

/// Runs the chat requests of one `/v1/translate` call: every unit of every document, at most ``concurrency`` at a time,
/// each through ``ChatCompletionsController/respond(_:headers:logger:started:)`` in-process (routing with the
/// `translation` capability required, the semantic cache with exact text, metrics, escalation), greedy.
///
/// Per unit: a unit without letters outside its tokens comes back as it is. Otherwise the model's answer is cleaned
/// (``TranslationPrompt/clean(_:source:)``; an answer that merely echoes the text or runs far longer than it is asked
/// again, with the order repeated in the user message) and its tokens restored; when a token went missing or was repeated, the unit is
/// asked again with the originals written out (code in its backticks), accepted only when every original is still
/// there, and failing that the text between the tokens is translated piece by piece with the originals put back in
/// between, so code is never lost. Then the glossary: when a term present in the unit lacks its translation in the
/// answer, the unit is translated once more (the same way) with the terms already replaced by tokens standing for
/// their translations; the answer with fewer misses is kept and what is still missing is reported.
struct DocumentTranslator: Sendable {
    /// Chat requests one translation runs at once.
    static let concurrency = 4

    let state: ServerState
    let headers: HTTPFields
    let logger: Logger
    /// `auto` or a configured model id.
    let model: String
    let format: TranslationPrompt.Format
    let glossary: TranslationGlossary

    /// One unit and the prompt of its document (languages, domain, register; the glossary lines are added per unit).
    struct Job: Sendable {
        let unit: TranslationUnit
        let prompt: TranslationPrompt
    }

    /// What a unit came back as.
    struct Outcome: Sendable {
        var text = ""
        /// Glossary source terms whose translation is still missing.
        var glossaryMisses: [String] = []
        /// The model that answered its first request (nil: no request was needed).
        var model: String?
        var promptTokens = 0
        var completionTokens = 0
        /// Chat requests made for it.
        var requests = 0
    }

    /// The outcomes of `jobs`, in order. The first error (a 400 from routing, a 429, a 503) ends the run.
    func run(_ jobs: [Job]) async throws -> [Outcome] {
        var outcomes = [Outcome](repeating: Outcome(), count: jobs.count)
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            func start(_ index: Int) {
                group.addTask { (index, try await translate(jobs[index])) }
            }
            while next < min(Self.concurrency, jobs.count) { start(next); next += 1 }
            while let (index, outcome) = try await group.next() {
                outcomes[index] = outcome
                if next < jobs.count { start(next); next += 1 }
            }
        }
        return outcomes
    }

    /// One unit, glossary retry included.
    func translate(_ job: Job) async throws -> Outcome {
        let unit = job.unit
        guard unit.needsTranslation else { return Outcome(text: unit.restore(unit.text) ?? unit.text) }
        var outcome = Outcome()
        var prompt = job.prompt
        prompt.glossary = glossary.entries(in: unit.text)
        var text = try await attempt(unit, prompt: prompt, outcome: &outcome)
        var misses = glossary.misses(source: unit.text, output: text)
        if !misses.isEmpty {
            logger.debug("translation: glossary terms missing, retrying with them as placeholders", metadata: ["terms": "\(misses)"])
            var strict = prompt
            strict.glossary = []
            let retry = try await attempt(glossary.protecting(unit), prompt: strict, outcome: &outcome)
            let retryMisses = glossary.misses(source: unit.text, output: retry)
            if retryMisses.count <= misses.count { (text, misses) = (retry, retryMisses) }
        }
        outcome.text = text
        outcome.glossaryMisses = misses
        return outcome
    }

    /// The model's cleaned answer for `unit`. An implausible answer — the text (nearly) unchanged (``isEcho(_:source:)``:
    /// small models sometimes echo a short text, notably one with tokens), empty, or a model answering the instructions
    /// instead of translating them (``isRunaway(_:source:)``) — is asked again once, with the order repeated in the user
    /// message. If the second answer is no better, an echo stands (the text may need no translation) and anything else
    /// gives the text back untranslated.
    private func ask(_ unit: TranslationUnit, prompt: TranslationPrompt, outcome: inout Outcome) async throws -> String {
        func isRunaway(_ answer: String) -> Bool { Self.isRunaway(answer, source: unit.text) }
        let answer = TranslationPrompt.clean(try await chat(prompt.chatBody(unit, model: model, format: format), outcome: &outcome),
                                             source: unit.text)
        guard format == .instruction, Self.isEcho(answer, source: unit.text) || isRunaway(answer) else { return answer }
        let again = TranslationPrompt.clean(try await chat(prompt.chatBody(unit, model: model, format: format, nudged: true), outcome: &outcome),
                                            source: unit.text)
        if !Self.isEcho(again, source: unit.text), !isRunaway(again) { return again }
        return isRunaway(answer) ? unit.text : answer
    }

    /// Whether `answer` is `source` back, or nearly (of three words or more, at least 80% of each side's words are the
    /// other's, case aside): the model did not translate.
    static func isEcho(_ answer: String, source: String) -> Bool {
        if answer == source { return true }
        func words(_ text: String) -> [String] {
            text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        }
        let a = words(answer), s = words(source)
        guard s.count >= 3, !a.isEmpty else { return false }
        let inSource = Set(s), inAnswer = Set(a)
        return Double(a.filter(inSource.contains).count) >= 0.8 * Double(a.count)
            && Double(s.filter(inAnswer.contains).count) >= 0.8 * Double(s.count)
    }

    /// Whether `answer` cannot be a translation of `source`: empty, longer than twice the source plus 20 characters
    /// (a character outside ASCII counting three, for scripts that expand in Latin letters), or talking about Markdown
    /// when the source does not (the system prompt's words coming back).
    static func isRunaway(_ answer: String, source: String) -> Bool {
        let weight = source.unicodeScalars.reduce(0) { $0 + ($1.isASCII ? 1 : 3) }
        return answer.isEmpty || answer.count > 2 * weight + 20
            || (answer.localizedCaseInsensitiveContains("markdown") && !source.localizedCaseInsensitiveContains("markdown"))
    }

    /// `unit` translated and restored. When the answer does not keep its tokens, the unit is asked again with the
    /// originals in place (the answer is taken if every original is still in it), and failing that translated piece by
    /// piece around them.
    private func attempt(_ unit: TranslationUnit, prompt: TranslationPrompt, outcome: inout Outcome) async throws -> String {
        let answer = try await ask(unit, prompt: prompt, outcome: &outcome)
        if let restored = unit.restore(answer) { return restored }
        logger.debug("translation: the answer lost or repeated a placeholder; asking with the originals",
                     metadata: ["answer": "\(answer.prefix(200))"])
        if format == .instruction {
            let inlined = try await ask(unit.inlined, prompt: prompt, outcome: &outcome)
            if unit.keepsOriginals(inlined) { return inlined }
        }
        logger.debug("translation: the originals were not kept either; translating around them")
        var result = ""
        for fragment in unit.fragments {
            switch fragment {
            case let .kept(original):
                result += original
            case let .text(text) where text.contains(where: \.isLetter):
                let core = text.trimmingCharacters(in: .whitespacesAndNewlines)
                let leading = text.prefix { $0.isWhitespace }, trailing = String(text.reversed().prefix { $0.isWhitespace }.reversed())
                let piece = TranslationUnit(text: core, placeholders: [])
                var piecePrompt = prompt
                piecePrompt.glossary = prompt.glossary.filter { !TranslationGlossary.occurrences(of: $0.source, in: core).isEmpty }
                let translated = try await ask(piece, prompt: piecePrompt, outcome: &outcome)
                // A piece has no tokens: an answer that invents one is not used.
                result += leading + (piece.restore(translated) ?? core) + trailing
            case let .text(text):
                result += text
            }
        }
        return result
    }

    /// Runs one chat completion in-process and returns its message text.
    private func chat(_ body: [String: Any], outcome: inout Outcome) async throws -> String {
        var input = try ChatInput(json: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        input.requiredCapabilities = [.translation]
        let response = try await ChatCompletionsController(state: state).respond(input, headers: headers, logger: logger)
        let completion = try? JSONSerialization.jsonObject(with: try await CollectedBody.collect(response)) as? [String: Any]
        guard let completion, let choice = (completion["choices"] as? [[String: Any]])?.first,
              let message = choice["message"] as? [String: Any] else {
            throw APIError(status: .badGateway, message: "the translation model's answer could not be read", type: "server_error",
                           code: "invalid_model_output")
        }
        outcome.requests += 1
        if outcome.model == nil { outcome.model = completion["model"] as? String }
        if let usage = completion["usage"] as? [String: Any] {
            outcome.promptTokens += usage["prompt_tokens"] as? Int ?? 0
            outcome.completionTokens += usage["completion_tokens"] as? Int ?? 0
        }
        return message["content"] as? String ?? ""
    }
}
