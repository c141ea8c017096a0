/// The sampling and streaming fields chat and text completions share.
struct SamplingFields: Decodable, Sendable {
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var minP: Double?
    var repetitionPenalty: Double?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    var seed: Int64?
    var stop: [String]?
    var n: Int?
    var stream: Bool?
    var includeUsage: Bool?
    var user: String?
    /// llama.cpp-server extension: keep generating past end-of-generation tokens (benchmarks).
    var ignoreEOS: Bool?

    enum CodingKeys: String, CodingKey {
        case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens"
        case temperature, topP = "top_p", topK = "top_k", minP = "min_p"
        case repetitionPenalty = "repetition_penalty", presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case seed, stop, n, stream, user
        case ignoreEOS = "ignore_eos"
        case streamOptions = "stream_options"
    }

    private struct StreamOptions: Decodable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        maxCompletionTokens = try c.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        topK = try c.decodeIfPresent(Int.self, forKey: .topK)
        minP = try c.decodeIfPresent(Double.self, forKey: .minP)
        repetitionPenalty = try c.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
        presencePenalty = try c.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try c.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed)
        if try !c.contains(.stop) || c.decodeNil(forKey: .stop) {
            stop = nil
        } else if let one = try? c.decode(String.self, forKey: .stop) {
            stop = [one]
        } else {
            stop = try c.decode([String].self, forKey: .stop)
        }
        n = try c.decodeIfPresent(Int.self, forKey: .n)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        includeUsage = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)?.includeUsage
        user = try c.decodeIfPresent(String.self, forKey: .user)
        ignoreEOS = try c.decodeIfPresent(Bool.self, forKey: .ignoreEOS)
    }
}
