/// Where one tensor lives in a GGUF file and how it is encoded.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions in ggml order: `shape[0]` is the contiguous (row) length.
    public let shape: [Int]
    public let type: TensorType
    /// Byte offset from the start of the file.
    public let fileOffset: Int
    public let byteCount: Int

    public var elementCount: Int { shape.reduce(1, *) }
    /// Length of one row (the contiguous dimension).
    public var rowLength: Int { shape.first ?? 1 }
    /// Number of rows (product of the other dimensions).
    public var rowCount: Int { shape.dropFirst().reduce(1, *) }
    public var bytesPerRow: Int { byteCount / max(rowCount, 1) }
}
