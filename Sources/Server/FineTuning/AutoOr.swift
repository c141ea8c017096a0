/// `"auto"` or a value, as OpenAI's hyperparameters take them.
enum AutoOr<Value: Decodable & Sendable>: Decodable, Sendable {
    case auto
    case value(Value)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            guard text == "auto" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "must be \"auto\" or a number, not \"\(text)\""))
            }
            self = .auto
        } else {
            self = .value(try c.decode(Value.self))
        }
    }

    /// The value given, or nil for `"auto"`.
    var given: Value? {
        if case let .value(v) = self { return v }
        return nil
    }
}
