import Foundation

/// A memory-mapped `.safetensors` file: an 8-byte little-endian header length, a JSON header mapping
/// tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the end of the
/// header), then the data. Every offset and size is checked against the file before use.
public final class SafeTensorsFile: Sendable {
    /// One tensor's place in the file.
    public struct Tensor: Sendable, Equatable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        /// Byte offset from the start of the file.
        public let offset: Int
        public let byteCount: Int

        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let path: String
    public let tensors: [String: Tensor]
    /// The header's `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    private let file: MappedFile

    static let elementSizes = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1]

    public init(path: String) throws(SafeTensorsError) {
        let file: MappedFile
        do {
            file = try MappedFile(path: path)
        } catch {
            throw .cannotOpen(path: path, reason: error.description)
        }
        guard file.size >= 8 else { throw .truncated("header length") }
        let headerLength = Int(clamping: file.base.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength > 1, headerLength <= 100 << 20, 8 + headerLength <= file.size else { throw .truncated("header") }
        let headerData = Data(bytes: file.base + 8, count: headerLength)
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw .invalidHeader("the header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: Any], map.values.allSatisfy({ $0 is String }) else {
                throw .invalidHeader("__metadata__ is not a map of strings")
            }
            metadata = map.mapValues { $0 as! String }
        }
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw .invalidHeader("tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let size = Self.elementSizes[dtype] else { throw .unsupportedType(dtype, tensor: name) }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw .invalidHeader("tensor '\(name)' has a negative size or offset")
            }
            let (elements, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            guard !overflow, elements.multipliedReportingOverflow(by: size).overflow == false,
                  elements * size == offsets[1] - offsets[0] else {
                throw .invalidHeader("tensor '\(name)': shape \(shape) of \(dtype) does not match its \(offsets[1] - offsets[0]) bytes")
            }
            // Not `dataStart + offsets[1]`: an end offset near Int.max would overflow.
            guard offsets[1] <= file.size - dataStart else { throw .truncated("tensor '\(name)'") }
            tensors[name] = Tensor(name: name, dtype: dtype, shape: shape, offset: dataStart + offsets[0], byteCount: offsets[1] - offsets[0])
        }
        self.path = path
        self.file = file
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The first byte of `tensor`'s data (valid while this file is alive).
    public func data(of tensor: Tensor) -> UnsafeRawPointer { UnsafeRawPointer(file.base + tensor.offset) }

    /// The F32 data of `name`, checked to have `shape`.
    public func floats(_ name: String, shape: [Int]) throws(SafeTensorsError) -> UnsafePointer<Float> {
        guard let t = tensors[name] else { throw .missingTensor(name) }
        guard t.dtype == "F32" else { throw .unsupportedType(t.dtype, tensor: name) }
        guard t.shape == shape else { throw .invalidHeader("tensor '\(name)' has shape \(t.shape), expected \(shape)") }
        return (file.base + t.offset).assumingMemoryBound(to: Float.self)
    }
}
