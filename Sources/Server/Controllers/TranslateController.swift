import Foundation
import Gateway
import Hummingbird
import NIOCore

/// `POST /v1/translate`: one Markdown text or a list of them translated into `target_lang`, keeping code, links and
/// the document's structure. Each text is cut into blocks and units (``TranslationDocument``); each unit becomes a
/// greedy chat request (``TranslationPrompt``) run in-process through the chat controller with the `translation`
/// capability required (``DocumentTranslator``: routing, cache, metrics and escalation included), and the answers are
/// put back into the markup. A named model is checked before anything runs (unknown: 404; without the capability: 400
/// naming it). The answer: `{"object": "translation", "translations": [{"text", "detected_source_lang", "model",
/// "glossary_misses"?}], "usage"}`, one translation per text in order, usage summed over every request made. Without
/// `source_lang`, each text's language is identified (``LanguageProvider``) and named in the prompt.
struct TranslateController: Sendable {
    let state: ServerState
    /// Below this confidence a detected source language is not used (the prompt then says "from the source language").
    static let detectionConfidence = 0.5

    /// The language of `text` by ``LanguageProvider`` (loaded on first use), nil when unsure or unavailable.
    private func detectedLanguage(of text: String) async -> TranslationLanguage? {
        guard let identifier = try? await state.languages.identifier() else { return nil }
        let detection = identifier.detect(text, candidates: 1)
        guard detection.language != "und", detection.confidence >= Self.detectionConfidence else { return nil }
        return TranslationLanguage.named(code: detection.language)
    }

    func translate(_ request: Request, context: some RequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: state.configuration.limits.maxBodyBytes)
        guard let body = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw APIError.invalidParameter("the body must be a JSON object with 'text' and 'target_lang'", param: nil)
        }
        let input = try TranslationRequest(json: body)
        try await state.requireServing()
        var format = TranslationPrompt.Format.instruction
        if !ModelRouter.isAutomatic(input.model) {
            var probe = try ChatInput(json: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: [
                "model": input.model, "messages": [["role": "user", "content": "translate"]],
            ])))
            probe.requiredCapabilities = [.translation]
            let plan = try await ChatPlanner(state: state).plan(probe, headers: request.headers)
            format = TranslationPrompt.format(for: plan.candidates.first?.base)
        }

        let started = ContinuousClock.now
        let documents = input.texts.map { TranslationDocument(markdown: $0) }
        var jobs: [DocumentTranslator.Job] = [], sources: [TranslationLanguage?] = []
        for document in documents {
            var source = input.source
            if source == nil { source = await detectedLanguage(of: document.plainText) }
            sources.append(source)
            let prompt = TranslationPrompt(source: source?.name, target: input.target.name, domain: input.domain, formality: input.formality)
            jobs += document.units.map { DocumentTranslator.Job(unit: $0, prompt: prompt) }
        }
        let translator = DocumentTranslator(state: state, headers: request.headers, logger: context.logger, model: input.model,
                                            format: format, glossary: input.glossary)
        let outcomes = try await translator.run(jobs)

        var translations: [[String: Any]] = [], next = 0
        for (document, source) in zip(documents, sources) {
            let own = outcomes[next..<(next + document.units.count)]
            next += document.units.count
            var entry: [String: Any] = ["text": document.reassembled(own.map(\.text)),
                                        "detected_source_lang": source?.value ?? NSNull(),
                                        "model": Self.mostFrequent(own.compactMap(\.model)) ?? NSNull()]
            var misses: [String] = []
            for term in own.flatMap(\.glossaryMisses) where !misses.contains(term) { misses.append(term) }
            if !misses.isEmpty { entry["glossary_misses"] = misses }
            translations.append(entry)
        }
        let promptTokens = outcomes.reduce(0) { $0 + $1.promptTokens }, completionTokens = outcomes.reduce(0) { $0 + $1.completionTokens }
        context.logger.debug("translation done", metadata: [
            "texts": "\(documents.count)", "units": "\(jobs.count)", "requests": "\(outcomes.reduce(0) { $0 + $1.requests })",
            "seconds": "\((ContinuousClock.now - started).components.seconds)",
        ])
        let result: [String: Any] = [
            "object": "translation", "translations": translations,
            "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens],
        ]
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: result,
                                                                                            options: [.sortedKeys, .withoutEscapingSlashes]))))
    }

    /// The most frequent of `names` (the first on a tie), nil when empty.
    static func mostFrequent(_ names: [String]) -> String? {
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        let most = counts.values.max()
        return names.first { counts[$0] == most }
    }
}
