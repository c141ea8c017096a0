/// Why a tokenizer could not be built from GGUF metadata. Each case reads as a one-line message.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `tokenizer.ggml.model` names a tokenizer family this package does not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer this package does not implement.
    case unsupportedPreTokenizer(String)
    /// A required metadata key is absent.
    case missingKey(String)
    /// A metadata value is present but unusable.
    case invalidMetadata(key: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedModel(m):
            return "unsupported tokenizer.ggml.model '\(m)' (supported: gpt2, llama)"
        case let .unsupportedPreTokenizer(p):
            return "unsupported tokenizer.ggml.pre '\(p)' (supported: default, gpt2, gpt-2, qwen2, smollm, starcoder, llama3, llama-bpe)"
        case let .missingKey(k):
            return "GGUF tokenizer metadata '\(k)' is missing"
        case let .invalidMetadata(k, reason):
            return "GGUF tokenizer metadata '\(k)' is invalid: \(reason)"
        }
    }
}
