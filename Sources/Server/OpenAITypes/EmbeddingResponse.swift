import Foundation

/// `POST /v1/embeddings` answer: `{"object":"list","data":[{"object":"embedding","index":i,"embedding":…}],…}`.
/// With `encoding_format: base64` each embedding is the base64 of its little-endian float32 bytes.
struct EmbeddingResponse: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let object = "embedding"
        let index: Int
        let vector: [Float]
        let base64: Bool

        enum CodingKeys: String, CodingKey { case object, index, embedding }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(object, forKey: .object)
            try c.encode(index, forKey: .index)
            if base64 {
                let data = vector.withUnsafeBufferPointer { Data(buffer: $0) }   // x86-64 and arm64 are little-endian
                try c.encode(data.base64EncodedString(), forKey: .embedding)
            } else {
                try c.encode(vector, forKey: .embedding)
            }
        }
    }

    struct Usage: Encodable, Sendable {
        let promptTokens: Int
        var totalTokens: Int { promptTokens }

        enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", totalTokens = "total_tokens" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(totalTokens, forKey: .totalTokens)
        }
    }

    let object = "list"
    let data: [Item]
    let model: String
    let usage: Usage

    enum CodingKeys: String, CodingKey { case object, data, model, usage }
}
