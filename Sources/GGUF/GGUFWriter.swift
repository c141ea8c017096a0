#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a GGUF version 3 file: ordered metadata followed by tensors, laid out the way ggml and
/// llama.cpp expect.
///
/// ```swift
/// var writer = GGUFWriter(alignment: 32)
/// try writer.set("general.architecture", .string("llama"))
/// try writer.addTensor(name: "blk.0.attn_q.weight.lora_a", shape: [576, 8], type: .f32, bytes: bytes)
/// try writer.write(to: "/tmp/adapter.gguf")
/// ```
///
/// Layout: the header, then every metadata entry in insertion order, then every tensor info in
/// insertion order, zero padding up to the alignment, then the tensor data. Each tensor's data
/// starts on an alignment boundary (offsets are relative to the start of the data section) and is
/// followed by zero padding up to the next boundary, as ggml's own writer does.
///
/// Everything is validated when it is added, against the same rules `GGUFFile` applies when
/// reading, so a file the writer produces always parses back: the tensors and metadata read back
/// exactly as they were given.
public struct GGUFWriter: Sendable {
    /// Metadata entries in the order they will be written.
    public private(set) var metadata: [(key: String, value: MetadataValue)] = []
    /// Tensors in the order they will be written.
    public private(set) var tensors: [Tensor] = []
    private var metadataIndex: [String: Int] = [:]
    private var tensorIndex: [String: Int] = [:]

    /// One tensor waiting to be written.
    public struct Tensor: Sendable, Equatable {
        public let name: String
        /// Dimensions in ggml order: `shape[0]` is the contiguous (row) length.
        public let shape: [Int]
        public let type: TensorType
        /// The encoded tensor data, exactly `byteCount` bytes; empty for a tensor added with
        /// `addTensorInfo`, whose data is streamed by `write(to:tensorData:)`.
        public let bytes: [UInt8]
        /// The size of the encoded data: `type.byteCount(elements:)` of the shape.
        public let byteCount: Int
        /// Whether the data is supplied at write time rather than held here.
        public var isDeferred: Bool { bytes.count != byteCount }
    }

    /// The deepest array nesting `GGUFFile` accepts (an array inside an array counts as 2).
    public static let maxArrayDepth = 8
    /// The longest tensor name ggml accepts (`GGML_MAX_NAME` − 1 bytes of UTF-8).
    public static let maxTensorNameBytes = 63
    /// The largest alignment `GGUFFile` accepts.
    public static let maxAlignment = 1 << 20

    /// Creates an empty writer.
    ///
    /// - Parameter alignment: alignment of the data section and of every tensor, a power of two.
    ///   When it differs from the GGUF default of 32 it is recorded as the `general.alignment`
    ///   metadata entry (a `uint32`), as the format requires.
    /// - Precondition: `alignment` is a power of two no larger than `maxAlignment`.
    public init(alignment: Int = 32) {
        precondition(Self.isValidAlignment(alignment), "GGUF alignment \(alignment) is not a power of two up to \(Self.maxAlignment)")
        if alignment != 32 {
            metadata.append((key: "general.alignment", value: .uint32(UInt32(alignment))))
            metadataIndex["general.alignment"] = 0
        }
    }

    /// The alignment the file will use: `general.alignment` when set, otherwise 32.
    public var alignment: Int { self["general.alignment"]?.intValue ?? 32 }

    /// The metadata value stored under `key`, if any.
    public subscript(key: String) -> MetadataValue? {
        metadataIndex[key].map { metadata[$0].value }
    }

    // MARK: Metadata

    /// Sets the metadata entry `key`. A new key goes after the existing ones; setting an existing
    /// key replaces its value and keeps its position.
    ///
    /// Arrays must be homogeneous (every item the same case; nested arrays may differ from one
    /// another in their own item type) and nest at most `maxArrayDepth` deep. An empty array is
    /// written with item type `uint8` unless a type is given with `setEmptyArray(_:itemType:)`.
    /// `general.alignment` must be a `uint32` power of two up to `maxAlignment` (ggml requires uint32).
    ///
    /// - Throws: `GGUFWriterError.invalidMetadata` when the value cannot be encoded.
    public mutating func set(_ key: String, _ value: MetadataValue) throws(GGUFWriterError) {
        try Self.validate(value, key: key, depth: 0)
        if key == "general.alignment" {
            // ggml reads general.alignment as a uint32 and refuses any other type.
            guard case let .uint32(a) = value, Self.isValidAlignment(Int(a)) else {
                throw .invalidMetadata(key: key, reason: "alignment must be a uint32 power of two up to \(Self.maxAlignment)")
            }
        }
        if let i = metadataIndex[key] {
            metadata[i].value = value
        } else {
            metadataIndex[key] = metadata.count
            metadata.append((key: key, value: value))
        }
        emptyArrayTypes[key] = nil
    }

    /// Sets `key` to an empty array declared with item type `itemType` (anything but `.array`),
    /// for readers that check the item type of, say, an empty token list.
    public mutating func setEmptyArray(_ key: String, itemType: GGUFValueType) throws(GGUFWriterError) {
        guard itemType != .array else { throw .invalidMetadata(key: key, reason: "an empty array's item type cannot be array") }
        try set(key, .array([]))
        emptyArrayTypes[key] = itemType
    }

    private var emptyArrayTypes: [String: GGUFValueType] = [:]

    /// Removes the metadata entry `key`, if present. Returns the removed value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> MetadataValue? {
        guard let i = metadataIndex.removeValue(forKey: key) else { return nil }
        let removed = metadata.remove(at: i).value
        for j in i..<metadata.count { metadataIndex[metadata[j].key] = j }
        emptyArrayTypes[key] = nil
        return removed
    }

    // MARK: Tensors

    /// Appends a tensor.
    ///
    /// - Parameters:
    ///   - name: unique, 1 to `maxTensorNameBytes` bytes of UTF-8.
    ///   - shape: 1 to 4 dimensions in ggml order (`shape[0]` is the row length), each at least 1.
    ///     `shape[0]` must be a multiple of `type.blockSize`.
    ///   - type: the encoding; its block layout must be known (`type.bytesPerBlock != nil`).
    ///   - bytes: the encoded data, exactly `type.byteCount(elements:)` bytes. Any byte sequence
    ///     works: `[UInt8]`, `Data`, an `UnsafeRawBufferPointer`, ….
    /// - Throws: `GGUFWriterError.invalidTensor` or `.duplicateTensor`.
    public mutating func addTensor<Bytes: Sequence>(
        name: String, shape: [Int], type: TensorType, bytes: Bytes
    ) throws(GGUFWriterError) where Bytes.Element == UInt8 {
        let expected = try validateTensor(name: name, shape: shape, type: type)
        let data = Array(bytes)
        guard data.count == expected else {
            throw .invalidTensor(name: name, reason: "\(data.count) bytes given, \(type) \(shape) needs \(expected)")
        }
        tensorIndex[name] = tensors.count
        tensors.append(Tensor(name: name, shape: shape, type: type, bytes: data, byteCount: expected))
    }

    /// Appends a tensor whose data the writer does not hold: `write(to:tensorData:)` asks for it
    /// while writing, so that a large model can be written one tensor at a time. Same rules as
    /// `addTensor`. A writer with such tensors can only be written with `write(to:tensorData:)`.
    ///
    /// - Returns: the size in bytes the tensor's data must have.
    /// - Throws: `GGUFWriterError.invalidTensor` or `.duplicateTensor`.
    @discardableResult
    public mutating func addTensorInfo(name: String, shape: [Int], type: TensorType) throws(GGUFWriterError) -> Int {
        let expected = try validateTensor(name: name, shape: shape, type: type)
        tensorIndex[name] = tensors.count
        tensors.append(Tensor(name: name, shape: shape, type: type, bytes: [], byteCount: expected))
        return expected
    }

    /// Checks a new tensor's name, shape and type; returns its data size.
    private func validateTensor(name: String, shape: [Int], type: TensorType) throws(GGUFWriterError) -> Int {
        guard tensorIndex[name] == nil else { throw .duplicateTensor(name: name) }
        guard !name.isEmpty, name.utf8.count <= Self.maxTensorNameBytes else {
            throw .invalidTensor(name: name, reason: "name must be 1 to \(Self.maxTensorNameBytes) bytes of UTF-8, not \(name.utf8.count)")
        }
        guard (1...4).contains(shape.count) else {
            throw .invalidTensor(name: name, reason: "\(shape.count) dimensions (GGUF allows 1 to 4)")
        }
        var elements = 1
        for d in shape {
            guard d >= 1, d <= 1 << 32 else { throw .invalidTensor(name: name, reason: "dimension \(d) is outside 1...2^32") }
            let (p, o) = elements.multipliedReportingOverflow(by: d)
            guard !o, p <= 1 << 40 else { throw .invalidTensor(name: name, reason: "shape \(shape) has too many elements") }
            elements = p
        }
        guard shape[0] % type.blockSize == 0 else {
            throw .invalidTensor(name: name, reason: "row length \(shape[0]) is not a multiple of the \(type) block size \(type.blockSize)")
        }
        guard let expected = type.byteCount(elements: elements) else {
            throw .invalidTensor(name: name, reason: "the byte layout of \(type) is unknown")
        }
        return expected
    }

    // MARK: Output

    /// The byte offset (from the start of the data section) at which each tensor will be written,
    /// in tensor order.
    public var tensorDataOffsets: [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(tensors.count)
        var next = 0
        for t in tensors {
            offsets.append(next)
            next = Self.padded(next + t.byteCount, alignment)
        }
        return offsets
    }

    /// The header, metadata and tensor infos, padded to the alignment: everything before the data.
    public func headerBytes() -> [UInt8] {
        var out = ByteSink()
        out.append(UInt32(0x4655_4747))            // "GGUF"
        out.append(UInt32(3))
        out.append(UInt64(tensors.count))
        out.append(UInt64(metadata.count))
        for (key, value) in metadata {
            out.appendString(key)
            out.append(Self.valueType(of: value).rawValue)
            Self.encode(value, into: &out, emptyAs: emptyArrayTypes[key])
        }
        for (t, offset) in zip(tensors, tensorDataOffsets) {
            out.appendString(t.name)
            out.append(UInt32(t.shape.count))
            for d in t.shape { out.append(UInt64(d)) }
            out.append(t.type.rawValue)
            out.append(UInt64(offset))
        }
        out.pad(to: alignment)
        return out.bytes
    }

    /// The whole file in memory.
    ///
    /// - Precondition: every tensor was added with its data (`addTensor`).
    public func serialized() -> [UInt8] {
        precondition(!tensors.contains(where: \.isDeferred), "GGUFWriter.serialized: a tensor's data is streamed at write time")
        var bytes = headerBytes()
        for t in tensors {
            bytes += t.bytes
            bytes += repeatElement(0, count: Self.padded(t.bytes.count, alignment) - t.bytes.count)
        }
        return bytes
    }

    /// Writes the file to `path`, replacing any existing file. The data goes to a temporary file
    /// beside `path` that is renamed into place once complete, so `path` never holds a partial file.
    ///
    /// - Throws: `GGUFWriterError.cannotWrite` naming the path and the system error, or
    ///   `.invalidTensor` when a tensor was added with `addTensorInfo` (use `write(to:tensorData:)`).
    public func write(to path: String) throws(GGUFWriterError) {
        do {
            try self.write(to: path, tensorData: { index, emit in
                try tensors[index].bytes.withUnsafeBytes { try emit($0) }
            })
        } catch let error as GGUFWriterError {
            throw error
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    // MARK: Internals

    private static func isValidAlignment(_ a: Int) -> Bool { a > 0 && a <= maxAlignment && a & (a - 1) == 0 }

    static func padded(_ n: Int, _ alignment: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    static func systemError() -> String { String(cString: strerror(errno)) }

    /// Writes all of `buffer`, retrying short writes.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(GGUFWriterError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = systemWrite(fd, base + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: systemError())
            }
            done += n
        }
    }

    private static func validate(_ value: MetadataValue, key: String, depth: Int) throws(GGUFWriterError) {
        guard case let .array(items) = value else { return }
        guard depth < maxArrayDepth else {
            throw .invalidMetadata(key: key, reason: "arrays nest more than \(maxArrayDepth) deep")
        }
        guard let first = items.first else { return }
        let type = valueType(of: first)
        for item in items {
            guard valueType(of: item) == type else {
                throw .invalidMetadata(key: key, reason: "array mixes \(type) and \(valueType(of: item)) items")
            }
            try validate(item, key: key, depth: depth + 1)
        }
    }

    private static func valueType(of value: MetadataValue) -> GGUFValueType {
        switch value {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    private static func encode(_ value: MetadataValue, into out: inout ByteSink, emptyAs: GGUFValueType?) {
        switch value {
        case let .uint8(v): out.append(v)
        case let .int8(v): out.append(v)
        case let .uint16(v): out.append(v)
        case let .int16(v): out.append(v)
        case let .uint32(v): out.append(v)
        case let .int32(v): out.append(v)
        case let .float32(v): out.append(v.bitPattern)
        case let .bool(v): out.append(UInt8(v ? 1 : 0))
        case let .string(v): out.appendString(v)
        case let .uint64(v): out.append(v)
        case let .int64(v): out.append(v)
        case let .float64(v): out.append(v.bitPattern)
        case let .array(items):
            let itemType = items.first.map { valueType(of: $0) } ?? emptyAs ?? .uint8
            out.append(itemType.rawValue)
            out.append(UInt64(items.count))
            for item in items { encode(item, into: &out, emptyAs: nil) }
        }
    }
}

/// The GGUF metadata value types (`gguf_type`), as written before each value.
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    public var description: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .float32: return "float32"
        case .bool: return "bool"
        case .string: return "string"
        case .array: return "array"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float64: return "float64"
        }
    }
}

/// Why `GGUFWriter` refused a value or could not write a file. Each case reads as a one-line message.
public enum GGUFWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidMetadata(key: String, reason: String)
    case invalidTensor(name: String, reason: String)
    case duplicateTensor(name: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidMetadata(key, reason): return "cannot write GGUF metadata '\(key)': \(reason)"
        case let .invalidTensor(name, reason): return "cannot write GGUF tensor '\(name)': \(reason)"
        case let .duplicateTensor(name): return "cannot write GGUF tensor '\(name)': a tensor with that name was already added"
        case let .cannotWrite(path, reason): return "cannot write GGUF file \(path): \(reason)"
        }
    }
}

private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, p, n)
    #else
    Darwin.write(fd, p, n)
    #endif
}

/// A little-endian byte buffer.
private struct ByteSink {
    var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendString(_ s: String) {
        append(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    mutating func pad(to alignment: Int) {
        let extra = (alignment - bytes.count % alignment) % alignment
        bytes.append(contentsOf: repeatElement(0, count: extra))
    }
}
