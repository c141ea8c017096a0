/// The kind of a vocabulary entry, from `tokenizer.ggml.token_type` (llama.cpp's `llama_token_type`).
enum TokenKind: UInt8, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6

    init(ggufValue: Int) {
        self = TokenKind(rawValue: UInt8(clamping: max(0, ggufValue))) ?? .undefined
    }

    /// Tokens matched in raw text before the model's own tokenization (when special parsing is on,
    /// or always for user-defined tokens).
    var isSpecial: Bool { self == .control || self == .userDefined || self == .unknown }
}
