import Gateway
import Tokenizers

/// The body of `POST /v1/chat/completions`. Only the fields the server uses are decoded; unknown
/// fields are ignored.
struct ChatCompletionRequest: Decodable, Sendable {
    /// A configured model id, an adapter-model id (`base:adapter`, or the adapter id alone when unique), or
    /// `auto` / absent to let the router choose.
    var model: String?
    /// Device profile (`server`, `laptop`, `mobile`) limiting the tiers routing may use.
    var deviceProfile: String?
    /// `false` skips the semantic cache for this request.
    var cache: Bool?
    var messages: [ChatCompletionMessage]
    var sampling: SamplingFields
    /// Return log-probabilities of the chosen tokens.
    var logprobs: Bool?
    var topLogprobs: Int?
    var responseFormat: ResponseFormat?
    /// LoRA adapters applied on top of the model (`adapters`, llama.cpp's `lora`).
    var adapterFields: AdapterFields
    /// `tools`, `tool_choice`, `parallel_tool_calls`.
    var toolFields: ToolFields

    enum CodingKeys: String, CodingKey {
        case model, messages, logprobs
        case deviceProfile = "device_profile", cache
        case topLogprobs = "top_logprobs"
        case responseFormat = "response_format"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        deviceProfile = try c.decodeIfPresent(String.self, forKey: .deviceProfile)
        cache = try c.decodeIfPresent(Bool.self, forKey: .cache)
        messages = try c.decode([ChatCompletionMessage].self, forKey: .messages)
        logprobs = try c.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try c.decodeIfPresent(Int.self, forKey: .topLogprobs)
        responseFormat = try c.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat)
        sampling = try SamplingFields(from: decoder)
        adapterFields = try AdapterFields(from: decoder)
        toolFields = try ToolFields(from: decoder)
    }
}

extension ChatCompletionRequest {
    /// Whether any message carries an image (the request then needs a model with the `vision` capability).
    var hasImages: Bool { messages.contains { !$0.images.isEmpty } }
}

/// One chat message. `content` may be a string, `null`, or an array of content parts: text parts are joined, image
/// parts (`image_url`, `input_image`) are checked (`ChatImage`) and kept for a vision backend; other part types
/// (audio, files) are rejected.
struct ChatCompletionMessage: Decodable, Sendable {
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    var role: String
    var content: String
    /// Its images, in order (the client's content parts go to a vision backend as they were sent).
    var images: [ChatImage] = []
    /// An assistant message's calls.
    var toolCalls: [ToolCallObject]?
    /// The call a `tool` message answers.
    var toolCallID: String?
    /// A `tool` (or legacy `function`) message's function name.
    var name: String?

    enum CodingKeys: String, CodingKey { case role, content, name, toolCalls = "tool_calls", toolCallID = "tool_call_id" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        guard Self.roles.contains(role) else {
            throw APIError.invalidParameter(
                "invalid role '\(role)'; expected one of system, developer, user, assistant, tool",
                param: APIError.parameterPath(decoder.codingPath + [CodingKeys.role]))
        }
        toolCalls = try c.decodeIfPresent([ToolCallObject].self, forKey: .toolCalls)
        toolCallID = try c.decodeIfPresent(String.self, forKey: .toolCallID)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        if try !c.contains(.content) || c.decodeNil(forKey: .content) {
            content = ""
        } else if let text = try? c.decode(String.self, forKey: .content) {
            content = text
        } else {
            var parts = try c.nestedUnkeyedContainer(forKey: .content)
            var texts: [String] = []
            while !parts.isAtEnd {
                let path = APIError.parameterPath(decoder.codingPath + [CodingKeys.content, IndexKey(parts.currentIndex)])
                let part = try parts.decode(ContentPart.self)
                if part.type == "image_url" || part.type == "input_image" {
                    guard let url = part.imageURL else {
                        throw APIError.invalidParameter("an image content part needs 'image_url' (a URL, or an object with 'url')",
                                                        param: path + ".image_url")
                    }
                    images.append(try ChatImage(url: url, param: path + ".image_url"))
                    continue
                }
                guard part.type == "text" || part.type == "input_text" else {
                    throw APIError.invalidParameter(
                        "content parts of type '\(part.type)' are not supported; this server handles text and images",
                        param: path, code: "unsupported_content")
                }
                guard let text = part.text else {
                    throw APIError.invalidParameter("a text content part needs a 'text' string", param: path + ".text")
                }
                texts.append(text)
            }
            content = texts.joined(separator: "\n")
        }
    }

    /// The message as the chat template sees it.
    var chatMessage: ChatMessage {
        ChatMessage(role: templateRole, content: content,
                    toolCalls: toolCalls.map { $0.map { ChatToolCall(id: $0.id, name: $0.function.name, arguments: $0.function.arguments) } },
                    toolCallID: toolCallID, name: name)
    }

    /// The role the chat template sees (`developer` is the newer name for `system`).
    var templateRole: String {
        switch role {
        case "developer": return "system"
        case "function": return "tool"
        default: return role
        }
    }
}

/// `{"type": "text", "text": …}`, `{"type": "image_url", "image_url": {"url": …}}`, `{"type": "input_image",
/// "image_url": …}` or another (unsupported) part type.
struct ContentPart: Decodable, Sendable {
    var type: String
    var text: String?
    /// The image's URL: `image_url.url`, or `image_url` itself when it is a string.
    var imageURL: String?

    private enum CodingKeys: String, CodingKey { case type, text, imageURL = "image_url" }
    private struct ImageURL: Decodable { var url: String }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        imageURL = (try? c.decodeIfPresent(String.self, forKey: .imageURL)) ?? (try? c.decodeIfPresent(ImageURL.self, forKey: .imageURL))?.url
    }
}

/// An integer coding key for building parameter paths.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}

/// `response_format`: plain text, any JSON object, or a JSON object following a schema.
struct ResponseFormat: Decodable, Sendable {
    enum Kind: String, Sendable { case text, jsonObject = "json_object", jsonSchema = "json_schema" }

    var kind: Kind
    /// The schema as JSON text, for `json_schema`.
    var schema: String?
    /// `json_schema.strict`: the schema must be enforced (an unsupported keyword is a 400).
    var strict = false

    enum CodingKeys: String, CodingKey { case type, jsonSchema = "json_schema" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        guard let kind = Kind(rawValue: type) else {
            throw APIError.invalidParameter("invalid response_format type '\(type)'; expected text, json_object or json_schema",
                                            param: "response_format.type")
        }
        self.kind = kind
        if kind == .jsonSchema, let spec = try c.decodeIfPresent(JSONValue.self, forKey: .jsonSchema) {
            schema = spec["schema"]?.jsonText
            if case .bool(true)? = spec["strict"] { strict = true }
        }
    }
}
