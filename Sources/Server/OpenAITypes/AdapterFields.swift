/// The adapter fields chat and text completions share: GroupQwen's `adapters` (by id) and llama.cpp's
/// `lora` (by index into the base model's configured adapters). Both apply to the base model named in
/// `model` and add up with an adapter named there (`model: "base:adapter"`).
struct AdapterFields: Decodable, Sendable {
    /// `{"id": "style", "scale": 0.5}`: an adapter of the base model (`id` or `base:id`); `scale` defaults
    /// to the adapter's configured scale.
    struct ByID: Decodable, Sendable {
        var id: String
        var scale: Double?
    }

    /// llama.cpp's `{"id": 0, "scale": 0.5}`: entry `id` of the base model's configured `adapters`.
    struct ByIndex: Decodable, Sendable {
        var id: Int
        var scale: Double?
    }

    var adapters: [ByID]?
    var lora: [ByIndex]?

    enum CodingKeys: String, CodingKey { case adapters, lora }

    init(adapters: [ByID]? = nil, lora: [ByIndex]? = nil) {
        self.adapters = adapters
        self.lora = lora
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        adapters = try c.decodeIfPresent([ByID].self, forKey: .adapters)
        lora = try c.decodeIfPresent([ByIndex].self, forKey: .lora)
    }

    /// Whether the request lists any adapter.
    var isEmpty: Bool { (adapters ?? []).isEmpty && (lora ?? []).isEmpty }

    /// The parameter to name in an error about these fields.
    var param: String { (adapters ?? []).isEmpty ? "lora" : "adapters" }
}
