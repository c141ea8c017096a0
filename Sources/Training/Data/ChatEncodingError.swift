import Tokenizers

/// Why a conversation could not be turned into training tokens; each reads as one line.
public enum ChatEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model's tokenizer metadata is unusable.
    case tokenizer(TokenizerError)
    /// The line is not a `{"messages": [...]}` object of role/content messages.
    case malformedExample(String)
    /// The model's chat template rejected the conversation or failed.
    case template(ChatTemplateError)
    /// Rendering one more message changed text already rendered, so assistant spans cannot be located.
    case notPrefixConsistent(message: Int, reason: String)
    /// The template renders an assistant message as no text at all.
    case emptyAssistantSpan(message: Int)
    /// No assistant message is trained on (none, or all have `"weight": 0`).
    case noTrainedMessage

    public var description: String {
        switch self {
        case let .tokenizer(error): return error.description
        case let .malformedExample(reason): return "malformed example: \(reason)"
        case let .template(error): return error.description
        case let .notPrefixConsistent(message, reason):
            return "the chat template is not prefix-consistent at message \(message) (\(reason)); assistant tokens cannot be located"
        case let .emptyAssistantSpan(message): return "the chat template renders assistant message \(message) as no text"
        case .noTrainedMessage: return "no assistant tokens to learn (no assistant message, or every one has \"weight\": 0)"
        }
    }
}
