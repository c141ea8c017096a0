import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a JSONL file line by line from a ``MappedFile``: the file is never copied into memory as a whole nor
/// split into an array of lines, and the pages already read are handed back to the kernel as it goes, so a file
/// of several gigabytes costs only the pages being read. ``bounds(in:from:)`` is the one line splitter of the
/// package (``JSONRecordReader`` and ``OpenAIChatJSONL`` use it too).
public struct JSONLLineReader: Sendable {
    /// One line: its 1-based number and its bytes (without the newline and a trailing carriage return).
    public struct Line {
        /// The 1-based line number.
        public let number: Int
        /// The line's bytes, pointing into the mapping.
        public let bytes: UnsafeRawBufferPointer
        /// Byte offset just past this line's newline (for progress).
        public let endOffset: Int

        /// True for a line holding only spaces, tabs or nothing.
        public var isBlank: Bool { bytes.allSatisfy { $0 == 32 || $0 == 9 } }

        /// The line as `Data` without copying; valid only during the callback that received the line.
        public var data: Data {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return Data() }
            return Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        }
    }

    /// The mapped file.
    public let file: MappedFile
    /// The file's path (used in errors).
    public var path: String { file.path }
    /// The file's size in bytes.
    public var byteCount: Int { file.bytes.count }
    /// Pages are handed back to the kernel every this many bytes read.
    static let releaseStep = 32 << 20

    /// Maps `url` read-only.
    public init(url: URL) throws(ImportError) {
        file = try MappedFile(url)
    }

    /// Reads an already mapped file.
    public init(file: MappedFile) {
        self.file = file
    }

    /// The line that starts at byte `start` of `bytes`: its content (without the newline and a trailing carriage
    /// return) and where the next line starts (past the end of `bytes` for a last line without a newline).
    public static func bounds(in bytes: UnsafeRawBufferPointer, from start: Int) -> (content: Range<Int>, next: Int) {
        guard let base = bytes.baseAddress, start < bytes.count else { return (start..<start, start + 1) }
        let end = memchr(base + start, 0x0A, bytes.count - start).map { UnsafeRawPointer($0) - base } ?? bytes.count
        let contentEnd = end > start && bytes[end - 1] == 0x0D ? end - 1 : end
        return (start..<contentEnd, end + 1)
    }

    /// Calls `body` for every line of `bytes`, in order (a final line without a newline included; nothing after
    /// the last newline), handing the pages of `file` before each 32 MiB step back to the kernel.
    static func forEachLine<E: Error>(in bytes: UnsafeRawBufferPointer, releasing file: MappedFile? = nil,
                                      _ body: (Line) throws(E) -> Void) throws(E) {
        var start = 0
        var number = 0
        var released = 0
        while start < bytes.count {
            number += 1
            let (content, next) = bounds(in: bytes, from: start)
            try body(Line(number: number, bytes: UnsafeRawBufferPointer(rebasing: bytes[content]), endOffset: min(next, bytes.count)))
            start = next
            if let file, start - released >= releaseStep {
                file.release(before: start)
                released = start
            }
        }
    }

    /// Calls `body` for every line, in order (a final line without a newline included; nothing after the last newline).
    /// A line's bytes are valid only during the call. `progress`, when given, advances every 4,096 lines
    /// (bytes read, lines as items) and is finished at the end.
    public func forEachLine<E: Error>(progress: ProgressReporter? = nil, _ body: (Line) throws(E) -> Void) throws(E) {
        defer { progress?.finish() }
        var lines = 0
        try Self.forEachLine(in: file.bytes, releasing: file) { (line: Line) throws(E) in
            try body(line)
            lines = line.number
            if lines % 4096 == 0 { progress?.advance(to: Int64(line.endOffset), items: lines) }
        }
        progress?.advance(to: Int64(byteCount), items: lines)
    }

    /// Calls `body` with consecutive batches of up to `size` lines (for processing a batch on several threads).
    /// The lines' bytes are valid only during the call.
    public func forEachBatch<E: Error>(of size: Int, _ body: ([Line]) throws(E) -> Void) throws(E) {
        var batch: [Line] = []
        batch.reserveCapacity(size)
        var released = 0
        try Self.forEachLine(in: file.bytes) { (line: Line) throws(E) in
            batch.append(line)
            if batch.count == size {
                try body(batch)
                let end = line.endOffset
                batch.removeAll(keepingCapacity: true)
                if end - released >= Self.releaseStep {
                    file.release(before: end)
                    released = end
                }
            }
        }
        if !batch.isEmpty { try body(batch) }
    }
}
