import Engine
import Foundation
import Gateway
import Tokenizers

/// JSON mode's instruction to the model, and the fallback for a non-strict `json_schema` that constrained decoding
/// cannot enforce (see `ChatConstraints`): the model is told to answer with JSON, its reply is pre-filled with `{`,
/// and generation stops when the object closes. The first balanced object that parses becomes the content. If
/// none does, the choice is retried once, greedily, with a stricter instruction; if that fails too the raw text
/// is wrapped as `{"text": "…"}`. The returned content therefore always parses as a JSON object; the schema is
/// shown to the model but not enforced.
struct JSONResponseMode: Sendable {
    /// The schema text for `json_schema`, if any.
    var schema: String?

    static let prefill = "{"

    /// The conversation with an instruction to answer in JSON added to (or as) the system message.
    func messages(_ messages: [ChatMessage], strict: Bool) -> [ChatMessage] {
        var instruction = strict
            ? "Respond with one valid JSON object and nothing else: no prose, no code fences, no comments. Start with { and end with }."
            : "Respond only with a valid JSON object."
        if let schema { instruction += " The object must follow this JSON schema: \(schema)" }
        var result = messages
        if let first = result.first, first.role == "system" {
            result[0].content = first.content.isEmpty ? instruction : first.content + "\n\n" + instruction
        } else {
            result.insert(ChatMessage(role: "system", content: instruction), at: 0)
        }
        return result
    }

    /// Prompt ids of the conversation with the assistant's reply pre-filled with `{`.
    func promptIDs(model: LocalModel, messages: [ChatMessage], strict: Bool) throws -> [Int32] {
        model.tokenizeChat(try model.renderChat(messages: self.messages(messages, strict: strict)) + Self.prefill)
    }

    /// Runs every choice (with its retry) concurrently. `first` are the already-built prompt ids of
    /// the lenient attempt, so their size errors surfaced before.
    func run(model: LocalModel, messages: [ChatMessage], firstPromptIDs: [Int32], options: [GenerationOptions],
             timeout: Double?) async throws -> [ChoiceOutput] {
        // Submit every first attempt before awaiting anything so capacity errors come first.
        let streams = try GenerationRunner.submit(model: model, promptIDs: firstPromptIDs, options: options)
        let strictIDs = try promptIDs(model: model, messages: messages, strict: true)
        return try await withThrowingTaskGroup(of: (Int, ChoiceOutput).self) { group in
            for (index, stream) in streams.enumerated() {
                let option = options[index]
                group.addTask {
                    (index, try await self.choice(model: model, first: stream, strictIDs: strictIDs, options: option))
                }
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    throw APIError.timeout(seconds: timeout)
                }
            }
            var outputs = [ChoiceOutput](repeating: ChoiceOutput(), count: streams.count)
            var remaining = streams.count
            while remaining > 0, let (index, output) = try await group.next() {
                outputs[index] = output
                remaining -= 1
            }
            group.cancelAll()
            return outputs
        }
    }

    private func choice(model: LocalModel, first: GenerationRunner.EventStream, strictIDs: [Int32],
                        options: GenerationOptions) async throws -> ChoiceOutput {
        var output = try await GenerationRunner.collect(first, jsonObjectAfter: Self.prefill)
        if let object = Self.firstObject(in: Self.prefill + output.text) {
            output.text = object
            return output
        }
        var strict = options
        strict.sampling.temperature = 0
        let retryStream = try model.generate(promptIDs: strictIDs, options: strict)
        var retry = try await GenerationRunner.collect(retryStream, jsonObjectAfter: Self.prefill)
        retry.completionTokens += output.completionTokens
        if let object = Self.firstObject(in: Self.prefill + retry.text) {
            retry.text = object
            return retry
        }
        retry.text = Self.wrap(output.text)
        return retry
    }

    /// The first `{…}` substring that parses as a JSON object.
    static func firstObject(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        while start < scalars.count {
            guard let open = scalars[start...].firstIndex(of: "{") else { return nil }
            var scanner = JSONObjectScanner()
            var end = open
            while end < scalars.count {
                scanner.feed(String(scalars[end]))
                end += 1
                if scanner.isComplete { break }
            }
            if scanner.isComplete {
                var candidate = String.UnicodeScalarView()
                candidate.append(contentsOf: scalars[open..<end])
                let text = String(candidate)
                if isJSONObject(text) { return text }
            }
            start = open + 1
        }
        return nil
    }

    static func isJSONObject(_ text: String) -> Bool {
        guard let data = text.data(using: .utf8),
              let value = try? JSONSerialization.jsonObject(with: data) else { return false }
        return value is [String: Any]
    }

    /// `{"text": raw}`, the last resort.
    static func wrap(_ raw: String) -> String {
        String(decoding: JSONCoding.encodeData(["text": Self.prefill + raw]), as: UTF8.self)
    }
}
