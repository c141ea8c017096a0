import Foundation
import GGUF
import Tokenizers

/// What a configured model can be asked to do. Routing only offers a request to the models that have what it
/// needs; a client that names a model lacking it gets a 400 naming the capability.
public enum ModelCapability: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Conversations (`/v1/chat/completions`): an instruct or chat fine-tune that knows how to end its turn.
    case chat
    /// Raw text continuation (`/v1/completions`): every language model.
    case completion
    /// Function calling (`tools` in a chat request): a chat model trained to call tools, whose template lists them
    /// (Qwen2.5). Any other chat model may be configured with it and then gets the fallback tool prompt
    /// (`ToolCallFormat`).
    case tools
    /// Images in chat messages (OpenAI `image_url` content parts): a vision-language model, served by a remote engine
    /// (vLLM, llama.cpp, Ollama) and configured with `capabilities: [chat, vision]`. The local engine runs text models
    /// only, so a request with images never goes to one.
    case vision
    /// Following a translation instruction (`POST /v1/translate`, whose chat requests require it): every chat model by
    /// default (local ones as read from the GGUF, remote ones), since a chat model can be told to translate; configure
    /// `capabilities:` without it to keep a model out of translation. A Qwen-MT style translator is also served with it.
    case translation

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What a model file can do, read from its GGUF metadata: every model completes text; it chats when it
    /// carries a chat template of its own (`tokenizer.chat_template`) or names itself an instruct or chat
    /// fine-tune (`general.finetune`, `general.name`: "Instruct", "Chat", "-it"). A base model without either
    /// (Gemma 3 270M) continues a chat prompt with invented turns, so it is kept to completions. A chat model also
    /// translates (it can follow a translation instruction).
    public static func detect(file: GGUFFile) -> Set<ModelCapability> {
        if let source = file.string("tokenizer.chat_template") {
            let rendersTools = (try? ChatTemplate(source: source))?.rendersTools ?? false
            return rendersTools ? [.chat, .completion, .tools, .translation] : [.chat, .completion, .translation]
        }
        let names = ["general.finetune", "general.name"].compactMap { file.string($0) }.joined(separator: " ").lowercased()
        let words = names.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        let chatWords: Set = ["instruct", "chat", "it", "sft", "dpo"]
        return words.contains(where: chatWords.contains) ? [.chat, .completion, .translation] : [.completion]
    }

    /// ``detect(file:)`` for the GGUF file at `path`; nil when it cannot be read.
    public static func detect(path: String) -> Set<ModelCapability>? {
        guard let file = try? GGUFFile(path: path) else { return nil }
        return detect(file: file)
    }
}
