import FineTuning
import Foundation

/// A question an expert should answer but never trained on, and the text a correct answer contains.
///
/// From a `data generate` spec: every slot value that has a `key` field (the expected text) contributes each of its
/// fields named `paraphrase…` or `held_out…` as a question (the generator never uses fields its templates do not
/// name). From a file: JSONL lines `{"prompt": "…", "expected": "…"}`.
public struct HeldOutQuestion: Sendable, Equatable, Codable {
    public var prompt: String
    public var expected: String

    public init(prompt: String, expected: String) {
        self.prompt = prompt
        self.expected = expected
    }

    /// The spec's held-out questions (see the type's documentation).
    public static func fromSpec(_ spec: GeneratorSpec) -> [HeldOutQuestion] {
        var questions: [HeldOutQuestion] = []
        for category in spec.categories {
            for name in category.slots.keys.sorted() {
                for record in category.slots[name] ?? [] {
                    guard let expected = record["key"], !expected.isEmpty else { continue }
                    for field in record.keys.sorted() where field.hasPrefix("paraphrase") || field.hasPrefix("held_out") {
                        if let prompt = record[field], !prompt.isEmpty { questions.append(HeldOutQuestion(prompt: prompt, expected: expected)) }
                    }
                }
            }
        }
        return questions
    }

    /// Reads a JSONL file of `{"prompt", "expected"}` objects; a bad line is an error naming `FILE:LINE`.
    public static func load(path: String) throws(ExpertBuildError) -> [HeldOutQuestion] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .configuration("\(path): \((error as NSError).localizedDescription)")
        }
        var questions: [HeldOutQuestion] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard let question = try? JSONDecoder().decode(HeldOutQuestion.self, from: Data(trimmed.utf8)),
                  !question.prompt.isEmpty, !question.expected.isEmpty else {
                throw .configuration("\(path):\(i + 1): expected {\"prompt\": \"…\", \"expected\": \"…\"} with non-empty texts")
            }
            questions.append(question)
        }
        return questions
    }

    /// Whether `answer` contains the expected text (case and runs of white space ignored).
    public func isAnswered(by answer: String) -> Bool {
        Self.normalized(answer).contains(Self.normalized(expected))
    }

    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
