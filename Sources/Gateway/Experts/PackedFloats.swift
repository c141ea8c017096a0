import Foundation

/// A `[Float]` that encodes as one base64 string of little-endian IEEE-754 binary32 values: exact (a JSON round
/// trip gives the same bits) and about 5.3 bytes a value instead of ~11 for decimal text.
public struct PackedFloats: Sendable, Equatable, Codable {
    public var values: [Float]

    public init(_ values: [Float]) {
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not base64 of 4-byte floats"))
        }
        var values = [Float](repeating: 0, count: data.count / 4)
        data.withUnsafeBytes { raw in
            for i in values.indices {
                values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var data = Data(capacity: values.count * 4)
        for v in values {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        var container = encoder.singleValueContainer()
        try container.encode(data.base64EncodedString())
    }
}
