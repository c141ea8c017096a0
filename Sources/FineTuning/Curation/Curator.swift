import Foundation

/// Cleans a set of conversations: redacts personal data and secrets, drops conversations that would teach
/// the model bad habits (empty or one-word answers, refusals, broken turn order, out-of-bounds length) and
/// exact duplicates. The report counts what each step did; it never contains the redacted values.
public struct Curator: Sendable {
    public struct Configuration: Sendable {
        public var minCharacters = 20
        public var maxCharacters = 100_000
        public var redact = true
        public init() {}
    }

    public struct Report: Sendable, Codable, Equatable {
        public var input = 0
        public var kept = 0
        public var removed: [String: Int] = [:]
        public var redactions: [String: Int] = [:]
    }

    public let configuration: Configuration
    let redactor = PIIRedactor()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    static let refusalPhrases = [
        "as an ai language model", "i'm sorry, but i can't", "i am sorry, but i cannot", "i cannot help with",
        "i can't help with", "i'm unable to help", "i cannot assist", "i can't assist",
    ]

    /// The conversations worth keeping, redacted, in input order.
    public func curate(_ conversations: [Conversation]) -> (kept: [Conversation], report: Report) {
        var report = Report()
        var seen = Set<String>()
        var kept: [Conversation] = []
        for original in conversations {
            report.input += 1
            var conversation = original
            if let reason = rejection(conversation) {
                report.removed[reason, default: 0] += 1
                continue
            }
            let key = conversation.turns.map { "\($0.role.rawValue)\u{1F}\($0.text)" }.joined(separator: "\u{1E}")
            guard seen.insert(key).inserted else {
                report.removed["exact_duplicate", default: 0] += 1
                continue
            }
            if configuration.redact {
                for i in conversation.turns.indices {
                    let (text, counts) = redactor.redact(conversation.turns[i].text)
                    conversation.turns[i].text = text
                    for (kind, n) in counts { report.redactions[kind.rawValue, default: 0] += n }
                }
            }
            kept.append(conversation)
        }
        report.kept = kept.count
        return (kept, report)
    }

    /// Why a conversation is dropped, or nil.
    func rejection(_ c: Conversation) -> String? {
        let dialogue = c.turns.filter { $0.role != .system }
        guard let first = dialogue.first, first.role == .user, dialogue.last?.role == .assistant else { return "broken_turn_order" }
        for (a, b) in zip(dialogue, dialogue.dropFirst()) where a.role == b.role { return "broken_turn_order" }
        let characters = c.turns.reduce(0) { $0 + $1.text.count }
        if characters < configuration.minCharacters { return "too_short" }
        if characters > configuration.maxCharacters { return "too_long" }
        for answer in dialogue where answer.role == .assistant {
            let words = answer.text.split(whereSeparator: \.isWhitespace)
            if words.count <= 1 { return "empty_or_one_word_answer" }
            let lower = answer.text.lowercased()
            if Self.refusalPhrases.contains(where: lower.contains) { return "refusal" }
            let letters = answer.text.filter(\.isLetter)
            if letters.count >= 20, letters.allSatisfy(\.isUppercase) { return "all_caps" }
        }
        return nil
    }
}
