import GGUF
import Tokenizers

/// Turns a conversation into training tokens the way the server prompts the model: rendered with the GGUF's
/// own `tokenizer.chat_template` (ChatML when it has none) with its BOS/EOS texts, tokenized with special tokens
/// parsed, BOS added once when the tokenizer asks for it.
///
/// The loss covers assistant turns only. Each assistant message `i` is located from the template itself: the
/// render of `messages[0..<i]` with `add_generation_prompt` (the prompt the server would send) must be a prefix
/// of the render of `messages[0...i]` without it, which must be a prefix of the whole conversation's render;
/// the assistant span is the difference, so it holds the message text and whatever the template closes the turn
/// with (`<|im_end|>\n`, `<end_of_turn>\n`), and the model learns to stop. A template that rewrites earlier text
/// when a message is added is refused with ``ChatEncodingError/notPrefixConsistent(message:reason:)``.
public struct ChatExampleEncoder: Sendable {
    /// The model's tokenizer.
    public let tokenizer: Tokenizer
    /// The model's chat template, or nil for ChatML.
    public let template: ChatTemplate?
    /// The text passed to the template as `bos_token` (empty when the vocabulary has none).
    public let bosText: String
    /// The text passed to the template as `eos_token` (empty when the vocabulary has none).
    public let eosText: String

    /// The encoder of a GGUF model: its tokenizer and its `tokenizer.chat_template` (ChatML when absent).
    public init(gguf: GGUFFile) throws(ChatEncodingError) {
        let tokenizer: Tokenizer
        do throws(TokenizerError) { tokenizer = try Tokenizer(gguf: gguf) } catch { throw .tokenizer(error) }
        var template: ChatTemplate?
        if let source = gguf.string("tokenizer.chat_template") {
            do throws(ChatTemplateError) { template = try ChatTemplate(source: source) } catch { throw .template(error) }
        }
        self.init(tokenizer: tokenizer, template: template)
    }

    /// An encoder from a tokenizer and a template (nil: ChatML).
    public init(tokenizer: Tokenizer, template: ChatTemplate?) {
        self.tokenizer = tokenizer
        self.template = template
        bosText = tokenizer.bosID.map { tokenizer.tokenText($0) } ?? ""
        eosText = tokenizer.eosID.map { tokenizer.tokenText($0) } ?? ""
    }

    /// Renders `messages` as the server does (its template, or ChatML).
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws(ChatEncodingError) -> String {
        guard let template else { return ChatTemplate.chatML(messages: messages, addGenerationPrompt: addGenerationPrompt) }
        do throws(ChatTemplateError) {
            return try template.render(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                       bosToken: bosText, eosToken: eosText)
        } catch {
            throw .template(error)
        }
    }

    /// The byte ranges of the rendered conversation and whether each is trained on, plus the rendered text.
    /// Ranges cover the text without gaps; trained ranges are the spans of assistant messages with weight > 0.
    public func spans(of example: ChatExample) throws(ChatEncodingError) -> (text: [UInt8], pieces: [(range: Range<Int>, trained: Bool)]) {
        let messages = example.messages.map { ChatMessage(role: $0.role, content: $0.content) }
        let full = Array(try render(messages, addGenerationPrompt: false).utf8)
        var pieces: [(range: Range<Int>, trained: Bool)] = []
        var position = 0
        for (i, message) in example.messages.enumerated() where message.role == "assistant" {
            let prompt = Array(try render(Array(messages[..<i]), addGenerationPrompt: true).utf8)
            let through = Array(try render(Array(messages[...i]), addGenerationPrompt: false).utf8)
            guard through.starts(with: prompt) else {
                throw .notPrefixConsistent(message: i + 1, reason: "the prompt rendered with add_generation_prompt is not a prefix of the render that includes the message")
            }
            guard full.starts(with: through) else {
                throw .notPrefixConsistent(message: i + 1, reason: "later messages change how it is rendered")
            }
            guard prompt.count >= position else {
                throw .notPrefixConsistent(message: i + 1, reason: "its prompt ends inside the previous assistant span")
            }
            guard through.count > prompt.count else { throw .emptyAssistantSpan(message: i + 1) }
            if prompt.count > position { pieces.append((position..<prompt.count, false)) }
            pieces.append((prompt.count..<through.count, message.isTrained))
            position = through.count
        }
        if full.count > position { pieces.append((position..<full.count, false)) }
        return (full, pieces)
    }

    /// Encodes one conversation. Throws ``ChatEncodingError/noTrainedMessage`` when no assistant message is
    /// trained on, and template errors as ``ChatEncodingError/template(_:)``.
    public func encode(_ example: ChatExample) throws(ChatEncodingError) -> EncodedExample {
        guard example.hasTrainedMessage else { throw .noTrainedMessage }
        let (text, pieces) = try spans(of: example)
        func tokens(_ range: Range<Int>) -> [Int32] {
            tokenizer.encode(String(decoding: text[range], as: UTF8.self), parseSpecial: true)
        }
        let whole = tokens(0..<text.count)
        // Fast path: the pieces tokenize on their own exactly as the whole text does (the usual case: span
        // boundaries sit next to special tokens or newlines).
        var ids: [Int32] = []
        var weights: [Float] = []
        ids.reserveCapacity(whole.count + 1)
        weights.reserveCapacity(whole.count + 1)
        for piece in pieces {
            let part = tokens(piece.range)
            ids += part
            weights += [Float](repeating: piece.trained ? 1 : 0, count: part.count)
        }
        if ids != whole {
            // A token straddles a boundary (or the tokenizer adds a space prefix to each piece): keep the
            // whole text's tokens and place each boundary after the tokens that the text before it shares with
            // the whole; a straddling token goes to the piece after the boundary.
            ids = whole
            weights = [Float](repeating: 0, count: whole.count)
            var starts: [Int] = []
            var previous = 0
            for piece in pieces {
                let prefix = tokens(0..<piece.range.lowerBound)
                var shared = 0
                while shared < prefix.count, shared < whole.count, prefix[shared] == whole[shared] { shared += 1 }
                previous = max(previous, shared)
                starts.append(previous)
            }
            for (k, piece) in pieces.enumerated() where piece.trained {
                let end = k + 1 < starts.count ? starts[k + 1] : whole.count
                for t in starts[k]..<end { weights[t] = 1 }
            }
        }
        if tokenizer.addBOS, let bos = tokenizer.bosID, ids.first != bos {
            ids.insert(bos, at: 0)
            weights.insert(0, at: 0)
        }
        if !weights.isEmpty { weights[0] = 0 }
        return EncodedExample(ids: ids, targetWeights: weights)
    }
}
