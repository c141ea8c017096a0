import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `.safetensors` file as the Python `safetensors` package does (`save_file`): an 8-byte
/// little-endian header length; a compact JSON header (`__metadata__` first when present, then each tensor as
/// `{"dtype","shape","data_offsets"}`) padded with spaces to a multiple of 8 bytes; then the tensors'
/// little-endian data back to back in header order, without gaps. Tensors are ordered like the reference
/// implementation: by dtype, widest first (`U64, I64, F64, F32, U32, I32, BF16, F16, U16, I16, I8, U8, BOOL`),
/// then by name. The one difference: `__metadata__` keys are sorted, where the Python package writes them in
/// hash-map order, which changes from run to run; with at most one metadata key the files are byte-identical.
public struct SafeTensorsWriter: Sendable {
    /// A tensor to write.
    public struct Tensor: Sendable {
        /// Its name (unique in the file).
        public let name: String
        /// Its safetensors dtype (`F32`, `I64`, …).
        public let dtype: String
        /// Its dimensions.
        public let shape: [Int]
        let storage: Storage

        enum Storage: Sendable {
            case floats([Float])
            case bytes([UInt8])
        }

        /// Size of its data in bytes.
        public var byteCount: Int {
            switch storage {
            case let .floats(values): return values.count * 4
            case let .bytes(bytes): return bytes.count
            }
        }
    }

    /// Free-form string metadata (`__metadata__`); omitted from the header when empty.
    public var metadata: [String: String]
    /// The tensors added so far, in the order added.
    public private(set) var tensors: [Tensor] = []

    /// Element sizes of the dtypes the writer accepts, and their order rank in the reference implementation
    /// (the order of its `Dtype` enum; the file holds the highest rank first).
    static let dtypes: [String: (size: Int, rank: Int)] = [
        "BOOL": (1, 0), "U8": (1, 1), "I8": (1, 2), "I16": (2, 5), "U16": (2, 6), "F16": (2, 7), "BF16": (2, 8),
        "I32": (4, 9), "U32": (4, 10), "F32": (4, 11), "F64": (8, 12), "I64": (8, 13), "U64": (8, 14),
    ]

    /// An empty file with `metadata`.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds an F32 tensor; `values.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], floats values: [Float]) throws(SafeTensorsError) {
        try check(name, dtype: "F32", shape: shape, byteCount: values.count * 4)
        tensors.append(Tensor(name: name, dtype: "F32", shape: shape, storage: .floats(values)))
    }

    /// Adds a tensor of any supported dtype from its raw little-endian bytes.
    public mutating func add(_ name: String, dtype: String, shape: [Int], bytes: [UInt8]) throws(SafeTensorsError) {
        try check(name, dtype: dtype, shape: shape, byteCount: bytes.count)
        tensors.append(Tensor(name: name, dtype: dtype, shape: shape, storage: .bytes(bytes)))
    }

    private func check(_ name: String, dtype: String, shape: [Int], byteCount: Int) throws(SafeTensorsError) {
        guard let size = Self.dtypes[dtype]?.size else { throw .unsupportedType(dtype, tensor: name) }
        guard name != "__metadata__", !name.isEmpty else { throw .invalidHeader("'\(name)' cannot name a tensor") }
        guard !tensors.contains(where: { $0.name == name }) else { throw .invalidHeader("tensor '\(name)' is added twice") }
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) * size == byteCount else {
            throw .invalidHeader("tensor '\(name)': shape \(shape) of \(dtype) does not match its \(byteCount) bytes")
        }
    }

    /// The tensors in file order.
    public var orderedTensors: [Tensor] {
        tensors.sorted { a, b in
            let (ra, rb) = (Self.dtypes[a.dtype]!.rank, Self.dtypes[b.dtype]!.rank)
            return ra != rb ? ra > rb : Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }
    }

    /// The header: its JSON text padded with spaces to a multiple of 8 bytes.
    public func header() -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func separator() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        if !metadata.isEmpty {
            separator()
            Self.appendString("__metadata__", to: &out)
            out += Array(":{".utf8)
            for (i, key) in metadata.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                Self.appendString(metadata[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        var offset = 0
        for tensor in orderedTensors {
            separator()
            Self.appendString(tensor.name, to: &out)
            out += Array(#":{"dtype":"#.utf8)
            Self.appendString(tensor.dtype, to: &out)
            out += Array(#","shape":["#.utf8)
            out += Array(tensor.shape.map(String.init).joined(separator: ",").utf8)
            out += Array(#"],"data_offsets":["#.utf8)
            out += Array("\(offset),\(offset + tensor.byteCount)]}".utf8)
            offset += tensor.byteCount
        }
        out.append(UInt8(ascii: "}"))
        while out.count % 8 != 0 { out.append(UInt8(ascii: " ")) }
        return out
    }

    /// The whole file in memory.
    public func serialized() -> [UInt8] {
        let header = header()
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + tensors.reduce(0) { $0 + $1.byteCount })
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out += $0 }
        out += header
        for tensor in orderedTensors { Self.appendData(of: tensor, to: &out) }
        return out
    }

    /// Writes the file to `path` (through a temporary file in the same folder, flushed to disk and renamed into
    /// place, so a reader never sees a partial file).
    public func write(to path: String) throws(SafeTensorsError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/." + (path as NSString).lastPathComponent
            + ".\(UUID().uuidString).partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        func put(_ bytes: UnsafeRawBufferPointer) {
            guard failure == nil, var pointer = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = posixWrite(fd, pointer, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                pointer += n
                left -= n
            }
        }
        let header = header()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { put($0) }
        header.withUnsafeBytes { put($0) }
        for tensor in orderedTensors {
            switch tensor.storage {
            case let .floats(values):
                #if _endian(big)
                values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { put($0) }
                #else
                values.withUnsafeBytes { put($0) }
                #endif
            case let .bytes(bytes):
                bytes.withUnsafeBytes { put($0) }
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
    }

    private static func appendData(of tensor: Tensor, to out: inout [UInt8]) {
        switch tensor.storage {
        case let .floats(values):
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        case let .bytes(bytes):
            out += bytes
        }
    }

    /// A JSON string as serde_json writes it: `"` and `\` escaped, the short escapes for \b \f \n \r \t, other
    /// control characters as `\u00XX` (lower-case hex), everything else (including non-ASCII) as UTF-8.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 0x08: out += [92, UInt8(ascii: "b")]
            case 0x0C: out += [92, UInt8(ascii: "f")]
            case 0x0A: out += [92, UInt8(ascii: "n")]
            case 0x0D: out += [92, UInt8(ascii: "r")]
            case 0x09: out += [92, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// `write(2)` (the struct's own `write(to:)` hides the C function's name inside it).
private func posixWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
