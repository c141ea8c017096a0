/// The per-conversation quality rules (byte-level where it matters: they run over every answer of an export).
extension Curator {
    /// Why a conversation is dropped, or nil.
    func rejection(_ c: Conversation) -> String? {
        let dialogue = c.turns.filter { $0.role != .system }
        guard let first = dialogue.first, first.role == .user, dialogue.last?.role == .assistant else { return "broken_turn_order" }
        for (a, b) in zip(dialogue, dialogue.dropFirst()) where a.role == b.role { return "broken_turn_order" }
        if let reason = lengthRejection(c) { return reason }
        for answer in dialogue where answer.role == .assistant {
            if !TextScan.hasTwoWords(answer.text) { return "empty_or_one_word_answer" }
            let lower = TextScan.asciiLowercased(answer.text)
            if Self.refusalPhrases.contains(where: { $0.occurs(in: lower) }) { return "refusal" }
            if Self.apologyPhrases.contains(where: { $0.occurs(in: lower) }) { return "apology" }
            if isAllCaps(answer.text) { return "all_caps" }
            if configuration.repetitionFilter, isRepetitive(answer.text) { return "repetition" }
        }
        return nil
    }

    /// Character bounds, counting Characters only when the UTF-8 size cannot decide (a Character is 1–4+ bytes).
    func lengthRejection(_ c: Conversation) -> String? {
        let bytes = c.turns.reduce(0) { $0 + $1.text.utf8.count }
        let min = configuration.minCharacters, max = configuration.maxCharacters
        if bytes < min { return "too_short" }
        let characters: Int
        if bytes / 4 >= min, bytes <= max {
            return nil
        } else {
            characters = c.turns.reduce(0) { $0 + $1.text.count }
        }
        if characters < min { return "too_short" }
        if characters > max { return "too_long" }
        return nil
    }

    func isAllCaps(_ text: String) -> Bool {
        if TextScan.hasASCIILowercase(text) { return false }
        let letters = text.filter(\.isLetter)
        return letters.count >= 20 && letters.allSatisfy(\.isUppercase)
    }

    /// One word 3-gram covering too much of the answer, or one line repeated too often.
    func isRepetitive(_ text: String) -> Bool {
        var words: [UInt64] = []
        TextScan.forEachWordHash(in: text) { words.append($0) }
        if words.count >= 12 {
            var trigrams = [UInt64](repeating: 0, count: words.count - 2)
            for i in trigrams.indices { trigrams[i] = StableHash.mix(words[i] &* 31 ^ StableHash.mix(words[i + 1] ^ StableHash.mix(words[i + 2]))) }
            trigrams.sort()
            var best = 1, run = 1
            for i in 1..<trigrams.count {
                run = trigrams[i] == trigrams[i - 1] ? run + 1 : 1
                if run > best { best = run }
            }
            if Double(best) > configuration.maxTrigramShare * Double(trigrams.count) { return true }
        }
        var counts: [UInt64: Int] = [:]
        var text = text
        return text.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                var lo = start, hi = end
                while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 || bytes[lo] == 0x0D { lo += 1 }
                while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 || bytes[hi - 1] == 0x0D { hi -= 1 }
                if hi - lo >= 20 {
                    let slice = UnsafeBufferPointer(rebasing: bytes[lo..<hi])
                    let key = StableHash.fnv1a(slice)
                    let n = counts[key, default: 0] + 1
                    if n >= configuration.maxLineRepeats { return true }
                    counts[key] = n
                }
                start = end + 1
            }
            return false
        }
    }
}
