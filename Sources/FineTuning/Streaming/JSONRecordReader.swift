import Foundation

/// Reads the records of a file that is either one JSON array of objects or JSON Lines (one value per line;
/// blank lines are skipped), deciding by the first non-blank byte (`[` means an array). The file is
/// memory-mapped and each record is parsed on its own; lines are split by ``JSONLLineReader/bounds(in:from:)``.
public struct JSONRecordReader {
    /// One record: its bytes and where it is (`line 12`, or `element 3 (byte 1042)`).
    public struct Record {
        /// `line 12` or `element 3 (byte 1042)`.
        public let location: String
        /// The record's JSON text.
        public let data: Data
        /// The record parsed with `JSONSerialization`; a parse failure names the file and the location.
        public func object(in path: String) throws(ImportError) -> Any {
            do { return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
                throw .badRecord(path: path, location: location, reason: "not valid JSON (\(JSONArrayStreamReader.oneLine(error)))")
            }
        }
    }

    /// One JSON array, or JSON Lines.
    public enum Layout: Sendable { case array, lines }

    /// The name used in errors.
    public let name: String
    /// How the records are laid out, from the first non-blank byte.
    public let layout: Layout
    /// The size of the input in bytes.
    public var byteCount: Int { data.count }
    /// Bytes consumed so far.
    public var offset: Int { layout == .array ? array!.offset : lineOffset }

    private let data: Data
    private var array: JSONArrayStreamReader?
    private var lineOffset = 0
    private var lineNumber = 0
    private var file: MappedFile?
    private var releasedUpTo = 0

    /// Memory-maps `url`.
    public init(contentsOf url: URL) throws(ImportError) {
        self.init(file: try MappedFile(url), name: url.path)
    }

    /// Reads a mapped file, handing the pages already read back to the kernel as it goes.
    public init(file: MappedFile, name: String) {
        self.init(data: file.data, name: name)
        self.file = file
        if layout == .array { array = JSONArrayStreamReader(file: file, name: name) }
    }

    /// Reads bytes already in memory; `name` is used in errors.
    public init(data: Data, name: String) {
        self.data = data
        self.name = name
        let first = data.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        layout = first == UInt8(ascii: "[") ? .array : .lines
        if layout == .array { array = JSONArrayStreamReader(data: data, name: name) }
    }

    /// The next record, or nil at the end.
    public mutating func next() throws(ImportError) -> Record? {
        if layout == .array {
            guard let range = try array!.nextRange() else { return nil }
            return Record(location: "element \(array!.elementCount) (byte \(range.lowerBound))", data: data.subdata(in: range))
        }
        let data = self.data
        while lineOffset < data.count {
            let (start, end, next) = data.withUnsafeBytes { bytes -> (Int, Int, Int) in
                let (content, next) = JSONLLineReader.bounds(in: bytes, from: lineOffset)
                var start = content.lowerBound
                if lineNumber == 0, content.count >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBB, bytes[start + 2] == 0xBF { start += 3 }
                var trimmedEnd = content.upperBound
                while trimmedEnd > start, [0x20, 0x0D, 0x09].contains(bytes[trimmedEnd - 1]) { trimmedEnd -= 1 }
                while start < trimmedEnd, [0x20, 0x09].contains(bytes[start]) { start += 1 }
                return (start, trimmedEnd, min(next, bytes.count))
            }
            lineNumber += 1
            lineOffset = next
            if let file, start - releasedUpTo >= JSONLLineReader.releaseStep {
                file.release(before: start)
                releasedUpTo = start
            }
            if start < end { return Record(location: "line \(lineNumber)", data: data.subdata(in: start..<end)) }
        }
        return nil
    }
}
