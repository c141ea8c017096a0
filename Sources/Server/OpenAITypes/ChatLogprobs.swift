import Engine
import Tokenizers

/// `choices[].logprobs` of a chat completion: one entry per generated token (end-of-generation
/// tokens excluded) with its most likely alternatives.
struct ChatLogprobs: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        let token: String
        let logprob: Float
        let bytes: [UInt8]
        let topLogprobs: [Alternative]

        enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
    }

    struct Alternative: Encodable, Sendable {
        let token: String
        let logprob: Float
        let bytes: [UInt8]
    }

    let content: [Entry]

    init(tokens: [GeneratedToken], tokenizer: Tokenizer) {
        content = tokens.filter { !tokenizer.eogIDs.contains($0.id) }.map { token in
            let bytes = tokenizer.tokenBytes(token.id)
            return Entry(
                token: String(decoding: bytes, as: UTF8.self), logprob: token.logprob.jsonSafe, bytes: bytes,
                topLogprobs: token.top.map { alt in
                    let altBytes = tokenizer.tokenBytes(alt.id)
                    return Alternative(token: String(decoding: altBytes, as: UTF8.self), logprob: alt.logprob.jsonSafe, bytes: altBytes)
                })
        }
    }
}
