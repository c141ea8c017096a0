/// The body of `POST /v1/embeddings`. `input` is a string or an array of strings; token-id inputs are
/// rejected with a 400 naming `input`.
struct EmbeddingRequest: Decodable, Sendable {
    static let maxInputs = 2048

    var model: String?
    var input: [String]
    var encodingFormat: String
    var dimensions: Int?
    var user: String?

    enum CodingKeys: String, CodingKey {
        case model, input, dimensions, user
        case encodingFormat = "encoding_format"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        guard c.contains(.input) else { throw APIError.invalidParameter("'input' is required", param: "input") }
        if let text = try? c.decode(String.self, forKey: .input) {
            input = [text]
        } else if let texts = try? c.decode([String].self, forKey: .input) {
            input = texts
        } else if (try? c.decode([Int].self, forKey: .input)) != nil || (try? c.decode([[Int]].self, forKey: .input)) != nil {
            throw APIError.invalidParameter("token-id inputs are not supported; send text", param: "input")
        } else {
            throw APIError.invalidParameter("'input' must be a string or an array of strings", param: "input")
        }
        guard !input.isEmpty else { throw APIError.invalidParameter("'input' must not be empty", param: "input") }
        guard input.count <= Self.maxInputs else {
            throw APIError.invalidParameter("'input' holds \(input.count) texts; at most \(Self.maxInputs) per request", param: "input")
        }
        encodingFormat = try c.decodeIfPresent(String.self, forKey: .encodingFormat) ?? "float"
        guard ["float", "base64"].contains(encodingFormat) else {
            throw APIError.invalidParameter("'encoding_format' must be 'float' or 'base64'", param: "encoding_format")
        }
        dimensions = try c.decodeIfPresent(Int.self, forKey: .dimensions)
        user = try c.decodeIfPresent(String.self, forKey: .user)
    }
}
