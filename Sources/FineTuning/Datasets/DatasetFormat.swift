/// A training-data layout `data split` can write.
public enum DatasetFormat: String, Sendable, CaseIterable, Codable {
    /// OpenAI chat fine-tuning JSONL (`{"messages":[…]}`).
    case openai
    /// An MLX-LM data folder: `train.jsonl`, `valid.jsonl`, `test.jsonl` in MLX-LM's chat format (`{"messages":[…]}`).
    case mlx
    /// ShareGPT JSONL (`{"conversations":[{"from","value"}]}`), as axolotl and LLaMA-Factory read it.
    case sharegpt
    /// Alpaca JSONL (`{"instruction","input","output","system"?,"history"?}`).
    case alpaca

    /// The conversation as one line of this format, or nil when it cannot be expressed (Alpaca needs a user
    /// turn followed by an assistant turn).
    public func line(for conversation: Conversation) -> String? {
        switch self {
        case .openai, .mlx: return conversation.openAIJSONLine()
        case .sharegpt: return conversation.shareGPTLine()
        case .alpaca: return conversation.alpacaLine()
        }
    }
}
