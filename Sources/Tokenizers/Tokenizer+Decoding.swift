extension Tokenizer {
    /// The bytes token `id` renders as, like llama.cpp's `llama_token_to_piece`: byte-level BPE entries are
    /// mapped back through GPT-2's byte table, SentencePiece entries get U+2581 turned into spaces and
    /// `<0xXX>` entries become that byte, user-defined tokens render as their text, and control tokens
    /// render as nothing unless `special` is true.
    public func tokenBytes(_ id: Int32, special: Bool = false) -> [UInt8] {
        guard id >= 0, Int(id) < texts.count else { return [] }
        let text = texts[Int(id)]
        switch kinds[Int(id)] {
        case .control, .unknown:
            return special ? Array(text.utf8) : []
        case .userDefined:
            return Array(text.utf8)
        case .normal:
            switch model {
            case .bytePair:
                return ByteLevelMap.decode(text) ?? Array(text.utf8)
            case .sentencePiece:
                return Self.unescapeWhitespace(Array(text.utf8))
            }
        case .byte:
            guard case .sentencePiece = model else { return [] }
            let utf8 = Array(text.utf8)
            guard utf8.count == 6, let b = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) else { return [] }
            return [b]
        case .unused, .undefined:
            return []
        }
    }

    /// The text of `ids`, rendered as `tokenBytes(_:special:)` does (control tokens as nothing by default).
    /// With a SentencePiece space prefix, the first token's leading space is dropped, as llama.cpp does.
    public func decode(_ ids: [Int32], special: Bool = false) -> String {
        var bytes: [UInt8] = []
        for (i, id) in ids.enumerated() {
            var piece = tokenBytes(id, special: special)
            if i == 0 && addSpacePrefix && piece.first == 0x20 { piece.removeFirst() }
            bytes += piece
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func unescapeWhitespace(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x96, bytes[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
