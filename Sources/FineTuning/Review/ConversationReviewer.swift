import Foundation

/// Walks conversations one by one for a person to keep, skip or edit them (or quit), reading one command per
/// conversation from any line source and writing to any text sink. Every decision is saved to the state file
/// at once; a new reviewer on the same conversations and state file resumes after the last decision. The
/// output file (kept and edited conversations, in order) is written on quit and at the end.
public struct ConversationReviewer {
    /// How a run ended.
    public struct Outcome: Sendable, Equatable {
        public var kept = 0
        public var edited = 0
        public var skipped = 0
        /// False when the person quit (or the input ended) before the last conversation.
        public var finished = false

        public init(kept: Int = 0, edited: Int = 0, skipped: Int = 0, finished: Bool = false) {
            self.kept = kept
            self.edited = edited
            self.skipped = skipped
            self.finished = finished
        }
    }

    public let conversations: [Conversation]
    public let stateURL: URL
    public let outputURL: URL
    /// Turns longer than this many characters are shown truncated.
    public var maxShownCharacters = 600

    public init(conversations: [Conversation], stateURL: URL, outputURL: URL) {
        self.conversations = conversations
        self.stateURL = stateURL
        self.outputURL = outputURL
    }

    /// Runs the review until the end or `q`.
    public func run<Input: ReviewLineSource, Output: ReviewTextSink>(input: inout Input, output: inout Output) throws -> Outcome {
        let fingerprint = ReviewState.fingerprint(of: conversations)
        var state = try ReviewState.load(from: stateURL) ?? ReviewState(inputFingerprint: fingerprint, conversationCount: conversations.count)
        guard state.inputFingerprint == fingerprint else {
            throw DatasetError.invalidState(path: stateURL.path, reason: "was saved for different conversations (the input or the filters changed); delete it or pass another --state")
        }
        if !state.decisions.isEmpty, state.decisions.count < conversations.count {
            output.write("Resuming at conversation \(state.decisions.count + 1) of \(conversations.count).\n")
        }
        var quit = false
        var index = state.decisions.count
        while index < conversations.count, !quit {
            output.write(render(index))
            var decided: ReviewState.Decision?
            while decided == nil, !quit {
                output.write("[k]eep, [s]kip, [e]dit or [q]uit? ")
                guard let line = input.nextLine() else { quit = true; output.write("\n"); break }
                switch line.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
                case "k", "keep": decided = .init(index: index, action: .keep)
                case "s", "skip": decided = .init(index: index, action: .skip)
                case "q", "quit": quit = true
                case "e", "edit":
                    if let texts = edit(conversations[index], input: &input, output: &output) {
                        decided = .init(index: index, action: .edit, texts: texts)
                    } else {
                        output.write("Edit cancelled.\n")
                    }
                default: output.write("Please answer k, s, e or q.\n")
                }
            }
            if let decided {
                state.decisions.append(decided)
                try state.save(to: stateURL)
                index += 1
            }
        }
        var outcome = try writeOutput(state)
        outcome.finished = index == conversations.count
        output.write(outcome.finished
            ? "Review finished: kept \(outcome.kept), edited \(outcome.edited), skipped \(outcome.skipped); wrote \(outputURL.path).\n"
            : "Stopped after \(state.decisions.count) of \(conversations.count); run again to resume. Wrote \(outcome.kept + outcome.edited) conversation\(outcome.kept + outcome.edited == 1 ? "" : "s") to \(outputURL.path).\n")
        return outcome
    }

    /// The numbered display of one conversation.
    func render(_ index: Int) -> String {
        let c = conversations[index]
        var text = "\n── Conversation \(index + 1) of \(conversations.count)" + (c.title.map { ": \($0)" } ?? "") + " ──\n"
        for (n, turn) in c.turns.enumerated() {
            var body = turn.text
            if body.count > maxShownCharacters {
                body = String(body.prefix(maxShownCharacters)) + " … (\(turn.text.count - maxShownCharacters) more characters)"
            }
            text += "  \(n + 1). \(turn.role.rawValue): " + body.replacingOccurrences(of: "\n", with: "\n     ") + "\n"
        }
        return text
    }

    /// Asks for a turn number and its new text; nil when cancelled (empty answer or end of input).
    func edit<Input: ReviewLineSource, Output: ReviewTextSink>(_ c: Conversation, input: inout Input, output: inout Output) -> [String]? {
        var turn: Int?
        while turn == nil {
            output.write("Turn to edit (1–\(c.turns.count), empty to cancel): ")
            guard let line = input.nextLine()?.trimmingCharacters(in: .whitespacesAndNewlines), !line.isEmpty else { return nil }
            if let n = Int(line), (1...c.turns.count).contains(n) { turn = n } else { output.write("No turn \(line).\n") }
        }
        output.write("New text for turn \(turn!) on one line, or an empty line first to type several lines ended by a line with only \".\":\n")
        guard let first = input.nextLine() else { return nil }
        var text = first
        if first.isEmpty {
            var lines: [String] = []
            while let line = input.nextLine(), line.trimmingCharacters(in: .whitespacesAndNewlines) != "." { lines.append(line) }
            text = lines.joined(separator: "\n")
        }
        guard !text.isEmpty else { return nil }
        var texts = c.turns.map(\.text)
        texts[turn! - 1] = text
        return texts
    }

    private func writeOutput(_ state: ReviewState) throws -> Outcome {
        var outcome = Outcome()
        let writer = try JSONLinesFileWriter(destination: outputURL)
        do {
            for decision in state.decisions {
                var c = conversations[decision.index]
                switch decision.action {
                case .skip:
                    outcome.skipped += 1
                    continue
                case .keep:
                    outcome.kept += 1
                case .edit:
                    outcome.edited += 1
                    for (i, text) in (decision.texts ?? []).enumerated() where i < c.turns.count { c.turns[i].text = text }
                }
                try writer.write(line: c.openAIJSONLine())
            }
            try writer.commit()
        } catch {
            writer.discard()
            throw error
        }
        return outcome
    }
}
