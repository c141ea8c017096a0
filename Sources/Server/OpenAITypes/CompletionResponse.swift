import Engine
import Tokenizers

/// A text completion (`object: "text_completion"`), whole or as one streamed chunk.
struct CompletionResponse: Encodable, Sendable {
    struct Choice: Encodable, Sendable {
        let text: String
        let index: Int
        var logprobs: CompletionLogprobs?
        var finishReason: String?

        enum CodingKeys: String, CodingKey { case text, index, logprobs, finishReason = "finish_reason" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encode(index, forKey: .index)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    let id: String
    let object = "text_completion"
    let created: Int
    let model: String
    let systemFingerprint: String
    var choices: [Choice]
    var usage: Usage?
    /// Whether `usage` is written (as `null` when nil).
    var writesUsage: Bool

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, systemFingerprint = "system_fingerprint"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(systemFingerprint, forKey: .systemFingerprint)
        try c.encode(choices, forKey: .choices)
        if writesUsage { try c.encode(usage, forKey: .usage) }
    }
}

/// The legacy completions log-probability format: parallel arrays per token.
struct CompletionLogprobs: Encodable, Sendable {
    let tokens: [String]
    let tokenLogprobs: [Float]
    let topLogprobs: [[String: Float]]
    let textOffset: [Int]

    enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }

    /// - Parameter offset: characters of text before the first token (for streamed chunks).
    init(tokens generated: [GeneratedToken], tokenizer: Tokenizer, offset: Int = 0) {
        var tokens: [String] = [], logprobs: [Float] = [], tops: [[String: Float]] = [], offsets: [Int] = []
        var position = offset
        for token in generated where !tokenizer.eogIDs.contains(token.id) {
            let text = String(decoding: tokenizer.tokenBytes(token.id), as: UTF8.self)
            tokens.append(text)
            logprobs.append(token.logprob.jsonSafe)
            var top: [String: Float] = [:]
            for alt in token.top {
                let altText = String(decoding: tokenizer.tokenBytes(alt.id), as: UTF8.self)
                top[altText] = max(top[altText] ?? -.infinity, alt.logprob.jsonSafe)
            }
            tops.append(top)
            offsets.append(position)
            position += text.count
        }
        self.tokens = tokens
        self.tokenLogprobs = logprobs
        self.topLogprobs = tops
        self.textOffset = offsets
    }
}
