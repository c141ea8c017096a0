/// A bounds-checked little-endian reader over a byte range. Every read checks the remaining length,
/// so a truncated or hostile file produces `GGUFError.truncated` instead of reading out of bounds.
struct ByteCursor {
    let base: UnsafeRawPointer
    let end: Int
    var offset: Int

    init(base: UnsafeRawPointer, count: Int, offset: Int = 0) {
        self.base = base
        self.end = count
        self.offset = offset
    }

    mutating func require(_ n: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard n >= 0, n <= end - offset else { throw .truncated(what: what(), offset: offset) }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try require(MemoryLayout<T>.size, what())
        let v = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    mutating func readString(_ what: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try read(UInt64.self, what())
        guard length <= UInt64(end - offset) else { throw .truncated(what: what(), offset: offset) }
        let n = Int(length)
        let start = offset
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: n)
        offset += n
        // GGUF strings are UTF-8; a few vocabularies carry invalid sequences, which we repair
        // rather than reject (llama.cpp keeps the raw bytes; token text is re-derived from bytes anyway).
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        _ = start
        return String(decoding: bytes, as: UTF8.self)
    }
}
