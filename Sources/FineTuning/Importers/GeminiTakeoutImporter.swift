import Foundation

/// Gemini Apps activity from Google Takeout (`My Activity.json`): a JSON array, newest first, of items with
/// `title` (`"Prompted "` followed by the prompt), `time` (ISO-8601) and `safeHtmlItem[0].html` (the answer).
///
/// Items whose title does not start with `Prompted ` (such as "Used Gemini Apps" or "Gave feedback") and
/// prompts without an answer are skipped. The prompts are put in chronological order and grouped into
/// conversations: a prompt less than or exactly `gap` seconds after the previous one continues its
/// conversation. The answer's HTML becomes plain text (``HTMLText``). A conversation's id is `gemini-` and
/// the first prompt's `time` as written, its title that prompt's first line (at most 80 characters).
public enum GeminiTakeoutImporter {
    /// The default gap between conversations: 30 minutes.
    public static let defaultGap: Double = 30 * 60

    /// Conversations of a file held in memory.
    public static func conversations(from data: Data, name: String = "My Activity.json", gap: Double = defaultGap) throws(ImportError) -> [Conversation] {
        var source = Source(reader: JSONArrayStreamReader(data: data, name: name), gap: gap)
        var result: [Conversation] = []
        while let conversation = try source.next() { result.append(conversation) }
        return result
    }

    /// Streams the conversations: a first pass notes each prompt's time and byte range, a second parses the
    /// prompts again in time order, so memory holds a few numbers per prompt, not the texts.
    public struct Source: ConversationSource {
        private struct Prompt { let time: Double; let index: Int; let range: Range<Int> }

        private var reader: JSONArrayStreamReader
        private let gap: Double
        private var prompts: [Prompt]?
        private var cursor = 0

        public var bytesRead: Int { reader.offset }
        public var byteCount: Int { reader.byteCount }

        /// Reads the activity array of `reader`; `gap` in seconds.
        public init(reader: JSONArrayStreamReader, gap: Double = GeminiTakeoutImporter.defaultGap) {
            self.reader = reader
            self.gap = gap
        }

        public mutating func next() throws(ImportError) -> Conversation? {
            if prompts == nil { try collectPrompts() }
            let prompts = self.prompts ?? []
            guard cursor < prompts.count else { return nil }
            var turns: [Conversation.Turn] = []
            var firstTime = ""
            var title = ""
            var previous: Double?
            while cursor < prompts.count {
                let prompt = prompts[cursor]
                if let previous, prompt.time - previous > gap { break }
                cursor += 1
                previous = prompt.time
                guard let object = try reader.element(at: prompt.range) as? [String: Any],
                      let (question, answer) = GeminiTakeoutImporter.exchange(object) else { continue }
                if turns.isEmpty {
                    firstTime = object["time"] as? String ?? ""
                    title = String((question.split(separator: "\n").first ?? "").prefix(80))
                }
                turns.append(Conversation.Turn(role: .user, text: question, time: prompt.time))
                turns.append(Conversation.Turn(role: .assistant, text: answer, time: prompt.time))
            }
            return Conversation(id: "gemini-\(firstTime)", title: title, created: turns.first?.time, source: "gemini", turns: turns)
        }

        private mutating func collectPrompts() throws(ImportError) {
            var found: [Prompt] = []
            while let range = try reader.nextRange() {
                let index = reader.elementCount
                guard let object = try reader.element(at: range) as? [String: Any] else {
                    throw .badRecord(path: reader.name, location: "item \(index) (byte \(range.lowerBound))", reason: "not an object")
                }
                guard GeminiTakeoutImporter.exchange(object) != nil else { continue }
                guard let time = ISO8601Timestamp.seconds(object["time"]) else {
                    throw .badRecord(path: reader.name, location: "item \(index) (byte \(range.lowerBound))", reason: "no ISO-8601 \"time\"")
                }
                found.append(Prompt(time: time, index: index, range: range))
            }
            // Oldest first; the file is newest first, so equal times keep the later file position first.
            found.sort { $0.time != $1.time ? $0.time < $1.time : $0.index > $1.index }
            prompts = found
        }
    }

    /// The prompt and the answer as plain text, or nil when the item is not an answered prompt.
    static func exchange(_ item: [String: Any]) -> (String, String)? {
        guard let title = item["title"] as? String, title.hasPrefix("Prompted ") else { return nil }
        let question = title.dropFirst("Prompted ".count).trimmingWhitespace()
        guard !question.isEmpty,
              let html = ((item["safeHtmlItem"] as? [Any])?.first as? [String: Any])?["html"] as? String else { return nil }
        let answer = HTMLText.plainText(html)
        return answer.isEmpty ? nil : (question, answer)
    }
}
