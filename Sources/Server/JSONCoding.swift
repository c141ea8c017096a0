import Foundation
import Hummingbird

/// JSON encoding and decoding of API documents.
enum JSONCoding {
    /// Encodes `value` compactly (keys sorted for stable output); a value that cannot be encoded
    /// yields a 500 error document instead of trapping.
    static func encode(_ value: some Encodable) -> ByteBuffer {
        ByteBuffer(bytes: encodeData(value))
    }

    static func encodeData(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value) { return data }
        return Data(#"{"error":{"message":"the response could not be encoded","type":"server_error","param":null,"code":"internal_error"}}"#.utf8)
    }

    /// Decodes a request body; malformed JSON and wrong types surface as `DecodingError`, which
    /// `APIError.from` maps to 400 naming the parameter.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw APIError.malformedJSON("the body is empty") }
        return try JSONDecoder().decode(T.self, from: data)
    }
}

extension Float {
    /// A finite value for JSON (OpenAI reports impossible tokens as -9999).
    var jsonSafe: Float { isFinite ? self : (self > 0 ? Float.greatestFiniteMagnitude : -9999) }
}
