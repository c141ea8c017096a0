/// A parsed GGUF file (versions 2 and 3): metadata, tensor index and the memory-mapped tensor data.
///
/// Parsing validates every length and offset against the file size; tensor data is never copied.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    public let metadata: [String: MetadataValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// The declared item type of each top-level metadata array that is empty (a `MetadataValue`
    /// cannot tell an empty array of strings from an empty array of integers), so that a copy of
    /// the metadata can be written back exactly.
    public let emptyArrayItemTypes: [String: GGUFValueType]
    public let tensors: [TensorInfo]
    public let alignment: Int
    public let dataOffset: Int
    public let mapping: MappedFile
    private let tensorIndex: [String: Int]

    /// Opens and parses `path`. Throws `GGUFError` for anything malformed.
    public init(path: String) throws(GGUFError) {
        self.path = path
        let mapping = try MappedFile(path: path)
        self.mapping = mapping
        var cursor = ByteCursor(base: mapping.base, count: mapping.size)
        guard mapping.size >= 4, try cursor.read(UInt32.self, "magic") == 0x4655_4747 else { throw .notGGUF(path: path) }
        version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        let tensorCount = try cursor.read(UInt64.self, "tensor count")
        let kvCount = try cursor.read(UInt64.self, "metadata count")
        // Each metadata entry needs at least 12 bytes and each tensor at least 28: reject counts the
        // file cannot possibly hold before allocating anything for them.
        guard kvCount <= UInt64(mapping.size / 12) else { throw .implausibleCount(what: "metadata", count: kvCount) }
        guard tensorCount <= UInt64(mapping.size / 28) else { throw .implausibleCount(what: "tensor", count: tensorCount) }

        var metadata: [String: MetadataValue] = [:]
        var emptyArrayTypes: [String: GGUFValueType] = [:]
        var keys: [String] = []
        keys.reserveCapacity(Int(kvCount))
        for i in 0..<Int(kvCount) {
            let key = try cursor.readString("metadata key #\(i)")
            guard metadata[key] == nil else { throw .invalidValue(key: key, reason: "the key appears more than once") }
            let type = try cursor.read(UInt32.self, "type of '\(key)'")
            var peek = cursor
            let value = try Self.readValue(type: type, key: key, cursor: &cursor, depth: 0)
            if type == 9, value.arrayValue?.isEmpty == true,
               let itemType = try GGUFValueType(rawValue: peek.read(UInt32.self, "array type of '\(key)'")) {
                emptyArrayTypes[key] = itemType
            }
            metadata[key] = value
            keys.append(key)
        }
        self.metadata = metadata
        self.metadataKeys = keys
        self.emptyArrayItemTypes = emptyArrayTypes

        var alignment = 32
        if let value = metadata["general.alignment"] {
            guard let a = value.intValue, a > 0, a <= 1 << 20, a & (a - 1) == 0 else {
                throw .invalidValue(key: "general.alignment", reason: "\(value) is not an integer power of two up to 2^20")
            }
            alignment = a
        }
        self.alignment = alignment

        struct RawInfo { let name: String; let shape: [Int]; let type: TensorType; let offset: UInt64 }
        var raw: [RawInfo] = []
        raw.reserveCapacity(Int(tensorCount))
        for i in 0..<Int(tensorCount) {
            let name = try cursor.readString("tensor name #\(i)")
            let dims = try cursor.read(UInt32.self, "dimension count of '\(name)'")
            guard dims >= 1, dims <= 4 else { throw .invalidTensor(name: name, reason: "\(dims) dimensions") }
            var shape: [Int] = []
            for _ in 0..<dims {
                let d = try cursor.read(UInt64.self, "shape of '\(name)'")
                guard d >= 1, d <= 1 << 32 else { throw .invalidTensor(name: name, reason: "dimension \(d)") }
                shape.append(Int(d))
            }
            let rawType = try cursor.read(UInt32.self, "type of '\(name)'")
            guard let type = TensorType(rawValue: rawType) else { throw .unknownTensorType(rawType, tensor: name) }
            let offset = try cursor.read(UInt64.self, "offset of '\(name)'")
            raw.append(RawInfo(name: name, shape: shape, type: type, offset: offset))
        }
        let dataOffset = (cursor.offset + alignment - 1) / alignment * alignment
        self.dataOffset = dataOffset

        var tensors: [TensorInfo] = []
        var index: [String: Int] = [:]
        for r in raw {
            var elements = 1
            for d in r.shape {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o, p <= 1 << 40 else { throw .invalidTensor(name: r.name, reason: "too many elements") }
                elements = p
            }
            guard r.shape[0] % r.type.blockSize == 0 else {
                throw .invalidTensor(name: r.name, reason: "row length \(r.shape[0]) is not a multiple of the \(r.type) block size \(r.type.blockSize)")
            }
            guard let bytes = r.type.byteCount(elements: elements) else {
                throw .invalidTensor(name: r.name, reason: "unsupported layout \(r.type)")
            }
            guard r.offset % UInt64(alignment) == 0 else {
                throw .invalidTensor(name: r.name, reason: "data offset \(r.offset) is not aligned to \(alignment)")
            }
            guard r.offset <= UInt64(mapping.size), Int(r.offset) <= mapping.size - dataOffset,
                  bytes <= mapping.size - dataOffset - Int(r.offset) else {
                throw .truncated(what: "data of tensor '\(r.name)'", offset: dataOffset + Int(min(r.offset, UInt64(Int.max / 2))))
            }
            guard index[r.name] == nil else { throw .invalidTensor(name: r.name, reason: "duplicate name") }
            index[r.name] = tensors.count
            tensors.append(TensorInfo(name: r.name, shape: r.shape, type: r.type, fileOffset: dataOffset + Int(r.offset), byteCount: bytes))
        }
        self.tensors = tensors
        self.tensorIndex = index
    }

    /// The fewest bytes a value of each metadata type (0...12) occupies: strings need their 8-byte
    /// length, arrays their 4-byte item type and 8-byte count.
    private static let minimumEncodedSize: [Int] = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8]

    private static func readValue(type: UInt32, key: String, cursor: inout ByteCursor, depth: Int) throws(GGUFError) -> MetadataValue {
        switch type {
        case 0: return .uint8(try cursor.read(UInt8.self, key))
        case 1: return .int8(try cursor.read(Int8.self, key))
        case 2: return .uint16(try cursor.read(UInt16.self, key))
        case 3: return .int16(try cursor.read(Int16.self, key))
        case 4: return .uint32(try cursor.read(UInt32.self, key))
        case 5: return .int32(try cursor.read(Int32.self, key))
        case 6: return .float32(try cursor.readFloat(key))
        case 7:
            let b = try cursor.read(UInt8.self, key)
            guard b <= 1 else { throw .invalidValue(key: key, reason: "bool byte \(b) is neither 0 nor 1") }
            return .bool(b == 1)
        case 8: return .string(try cursor.readString(key))
        case 9:
            guard depth < 8 else { throw .invalidValue(key: key, reason: "arrays nested more than 8 deep") }
            let itemType = try cursor.read(UInt32.self, "array type of '\(key)'")
            // Checked here so that an empty array of an invalid type is rejected too.
            guard itemType < UInt32(minimumEncodedSize.count) else { throw .invalidValueType(itemType, key: key) }
            let count = try cursor.read(UInt64.self, "array length of '\(key)'")
            // A count of items that cannot fit in the remaining bytes is corrupt.
            let itemSize = UInt64(minimumEncodedSize[Int(itemType)])
            guard count <= UInt64(cursor.end - cursor.offset) / itemSize else { throw .implausibleCount(what: "'\(key)' array", count: count) }
            var items: [MetadataValue] = []
            items.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                items.append(try readValue(type: itemType, key: key, cursor: &cursor, depth: depth + 1))
            }
            return .array(items)
        case 10: return .uint64(try cursor.read(UInt64.self, key))
        case 11: return .int64(try cursor.read(Int64.self, key))
        case 12: return .float64(try cursor.readDouble(key))
        default: throw .invalidValueType(type, key: key)
        }
    }

    /// The tensor called `name`, if present.
    public func tensor(_ name: String) -> TensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// A pointer to the first byte of `tensor`'s data inside the mapping.
    public func data(of tensor: TensorInfo) -> UnsafeRawPointer { mapping.base + tensor.fileOffset }

    /// `general.architecture`, e.g. `llama`, `qwen2`, `qwen3`, `gemma3`.
    public var architecture: String? { metadata["general.architecture"]?.stringValue }
}
