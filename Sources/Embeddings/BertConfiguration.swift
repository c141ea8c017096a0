import Foundation

/// The hyper-parameters of a BERT checkpoint, from its `config.json`.
public struct BertConfiguration: Sendable, Equatable {
    public var hiddenSize: Int
    public var headCount: Int
    public var layerCount: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var vocabularySize: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float

    /// Reads `config.json`; only `model_type: bert` with `hidden_act: gelu` is accepted.
    public init(contentsOf url: URL) throws(EmbeddingError) {
        guard let data = try? Data(contentsOf: url),
              let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalidModel("cannot read \(url.path) as JSON")
        }
        func int(_ key: String) throws(EmbeddingError) -> Int {
            guard let value = json[key] as? Int, value > 0 else { throw .invalidModel("config.json: '\(key)' missing or not a positive integer") }
            return value
        }
        guard (json["model_type"] as? String) == "bert" else { throw .invalidModel("config.json: model_type is not 'bert'") }
        guard (json["hidden_act"] as? String ?? "gelu") == "gelu" else { throw .invalidModel("config.json: only hidden_act 'gelu' is supported") }
        hiddenSize = try int("hidden_size")
        headCount = try int("num_attention_heads")
        layerCount = try int("num_hidden_layers")
        intermediateSize = try int("intermediate_size")
        maxPositions = try int("max_position_embeddings")
        vocabularySize = try int("vocab_size")
        typeVocabularySize = (json["type_vocab_size"] as? Int) ?? 2
        layerNormEpsilon = Float((json["layer_norm_eps"] as? Double) ?? 1e-12)
        guard hiddenSize % headCount == 0 else { throw .invalidModel("config.json: hidden_size is not a multiple of num_attention_heads") }
    }
}
