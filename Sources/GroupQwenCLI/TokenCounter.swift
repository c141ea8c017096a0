import Foundation
import GGUF
import Tokenizers

/// A token counter in a model's own tokenizer (from its GGUF file; a known id is fetched first), for
/// measuring fine-tuning conversations in the tokens of the model that will be trained on them.
func makeTokenCounter(model: String) async throws -> @Sendable (String) -> Int {
    let url = try await resolveModel(model)
    let tokenizer = try Tokenizer(gguf: try GGUFFile(path: url.path))
    return { text in tokenizer.encode(text, parseSpecial: false).count }
}
