/// Cuts a long text into chunks the model translates one at a time: at sentence ends (`.`, `!`, `?`, `…`, followed by
/// whitespace, after any closing quotes or brackets; `。！？` need none), packed greedily up to `limit` characters. A
/// sentence longer than the limit is cut after a `;`, `:` or `,`, else at a space, else (one endless word) anywhere but
/// inside a `⟦n⟧` token. Nothing is lost: the head, the chunks and the gaps between them, joined, are the text.
enum SentenceChunker {
    /// The default chunk length in characters.
    static let defaultLimit = 1200

    /// `text` as its leading whitespace (`head`) and chunks, each with the whitespace after it (`gap`). A text shorter
    /// than `limit` is one chunk; a blank one is all head.
    static func chunks(_ text: String, limit: Int = defaultLimit) -> (head: String, chunks: [(text: String, gap: String)]) {
        let chars = Array(text)
        var start = 0
        while start < chars.count, chars[start].isWhitespace { start += 1 }
        let head = String(chars[..<start])
        var result: [(text: String, gap: String)] = []
        while start < chars.count {
            var end = chars.count
            if end - start > limit { end = cut(chars, from: start, limit: max(limit, 1)) }
            var textEnd = end
            while textEnd > start, chars[textEnd - 1].isWhitespace { textEnd -= 1 }
            var gapEnd = end
            while gapEnd < chars.count, chars[gapEnd].isWhitespace { gapEnd += 1 }
            result.append((String(chars[start..<textEnd]), String(chars[textEnd..<gapEnd])))
            start = gapEnd
        }
        return (head, result)
    }

    /// Where the chunk starting at `from` ends (exclusive), at most `limit` characters on: the furthest sentence end,
    /// else the furthest clause end or space, else a hard cut.
    private static func cut(_ chars: [Character], from: Int, limit: Int) -> Int {
        let maxEnd = from + limit
        var sentence: Int?, clause: Int?, space: Int?
        var k = from + 1
        while k <= maxEnd, k < chars.count {
            if chars[k].isWhitespace, !chars[k - 1].isWhitespace {
                space = k
                if endsSentence(chars, before: k) { sentence = k } else if ";:,，；".contains(chars[k - 1]) { clause = k }
            } else if "。！？".contains(chars[k - 1]) {
                sentence = k
            }
            k += 1
        }
        if let best = sentence ?? clause ?? space { return best }
        // Never inside a token: back up to its `⟦`, or take it whole when the chunk starts with it.
        if let open = chars[from..<maxEnd].lastIndex(of: "⟦"), !chars[open..<maxEnd].contains("⟧") {
            if open > from { return open }
            return (chars[maxEnd...].firstIndex(of: "⟧") ?? chars.count - 1) + 1
        }
        return maxEnd
    }

    /// Whether the characters before `index` end a sentence: terminal punctuation, then any closing quotes, brackets or
    /// emphasis markers.
    private static func endsSentence(_ chars: [Character], before index: Int) -> Bool {
        var k = index - 1
        while k > 0, "\"'”’»)]*_".contains(chars[k]) { k -= 1 }
        return ".!?…".contains(chars[k]) || "。！？".contains(chars[k])
    }
}
