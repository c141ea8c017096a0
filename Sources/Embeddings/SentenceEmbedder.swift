import Foundation
import GGUF
import Tokenizers

/// Sentence embeddings from a sentence-transformers BERT folder (all-MiniLM-L6-v2: `config.json`,
/// `vocab.txt`, `model.safetensors`): WordPiece, the BERT encoder, attention-masked mean pooling and L2
/// normalisation. Texts longer than `maxTokens` (256 with the special tokens) are truncated, as
/// sentence-transformers does.
public final class SentenceEmbedder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let maxTokens: Int
    private let encoder: BertEncoder

    /// Length of every vector.
    public var dimension: Int { encoder.configuration.hiddenSize }

    /// Loads the model folder; `precision` chooses how the linear layers are held (see `EmbeddingPrecision`).
    public init(directory: URL, threads: Int = 2, maxTokens: Int = 256, precision: EmbeddingPrecision = .f16) throws {
        tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        let configuration = try BertConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let file = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        encoder = try BertEncoder(file: file, configuration: configuration, threads: threads, precision: precision)
        self.maxTokens = min(maxTokens, configuration.maxPositions)
    }

    /// Token ids of `text` as the encoder sees it (`[CLS] … [SEP]`, truncated).
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(text, maxTokens: maxTokens)
    }

    /// One unit-length vector per text, computed in one batch.
    public func embed(_ texts: [String]) -> [[Float]] {
        encoder.embed(texts.map(tokenize))
    }
}
