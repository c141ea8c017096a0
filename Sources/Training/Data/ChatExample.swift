import Foundation

/// One training conversation as read from an OpenAI or MLX-LM chat line: its messages in order, each with
/// the loss weight of an assistant message (`"weight": 0` opts a message out of the loss).
public struct ChatExample: Sendable, Equatable {
    /// One message of the conversation.
    public struct Message: Sendable, Equatable {
        /// `system`, `user`, `assistant` or `tool`.
        public var role: String
        /// The message text.
        public var content: String
        /// The loss weight of an assistant message: 1 (default) or 0 (no loss). Ignored for other roles.
        public var weight: Float

        /// A message; `weight` only matters for assistant messages.
        public init(role: String, content: String, weight: Float = 1) {
            self.role = role
            self.content = content
            self.weight = weight
        }

        /// Whether the loss includes this message's tokens.
        public var isTrained: Bool { role == "assistant" && weight > 0 }
    }

    /// The messages, in order.
    public var messages: [Message]

    /// A conversation of `messages`.
    public init(messages: [Message]) {
        self.messages = messages
    }

    /// Parses one `{"messages":[{"role","content","weight"?,"name"?},…]}` line. The line is expected to have
    /// passed `DatasetValidator`; this only extracts the fields and fails with a short reason on a bad shape.
    public init(jsonLine: Data) throws(ChatEncodingError) {
        guard let object = (try? JSONSerialization.jsonObject(with: jsonLine)) as? [String: Any],
              let items = object["messages"] as? [Any] else {
            throw .malformedExample("not a {\"messages\": [...]} object")
        }
        var messages: [Message] = []
        messages.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let message = item as? [String: Any], let role = message["role"] as? String,
                  let content = message["content"] as? String else {
                throw .malformedExample("message \(index + 1) lacks a string role or content")
            }
            let weight = (message["weight"] as? NSNumber)?.floatValue ?? 1
            messages.append(Message(role: role, content: content, weight: weight))
        }
        self.messages = messages
    }

    /// Whether any assistant message is trained on.
    public var hasTrainedMessage: Bool { messages.contains(where: \.isTrained) }
}
