/// The body of the legacy `POST /v1/completions`: a raw prompt continued by the model.
struct CompletionRequest: Decodable, Sendable {
    var model: String
    var prompt: String
    var sampling: SamplingFields
    /// Number of most likely alternatives to report per token (`nil`: no log-probabilities).
    var logprobs: Int?
    /// LoRA adapters applied on top of the model (`adapters`, llama.cpp's `lora`).
    var adapterFields: AdapterFields

    enum CodingKeys: String, CodingKey { case model, prompt, logprobs, echo, suffix }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        if let text = try? c.decode(String.self, forKey: .prompt) {
            prompt = text
        } else if let list = try? c.decode([String].self, forKey: .prompt) {
            guard list.count == 1 else {
                throw APIError.invalidParameter("'prompt' must be a string or an array of exactly one string (got \(list.count))",
                                                param: "prompt")
            }
            prompt = list[0]
        } else if c.contains(.prompt) {
            throw APIError.invalidParameter("'prompt' must be a string or an array of one string", param: "prompt")
        } else {
            throw APIError.invalidParameter("missing required parameter 'prompt'", param: "prompt")
        }
        logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs)
        if try c.decodeIfPresent(Bool.self, forKey: .echo) == true {
            throw APIError.invalidParameter("'echo' is not supported", param: "echo")
        }
        if let suffix = try c.decodeIfPresent(String.self, forKey: .suffix), !suffix.isEmpty {
            throw APIError.invalidParameter("'suffix' is not supported", param: "suffix")
        }
        sampling = try SamplingFields(from: decoder)
        adapterFields = try AdapterFields(from: decoder)
    }
}
