import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a JSONL file line by line from a read-only memory mapping: the file is never copied into memory as a
/// whole nor split into an array of lines, so a file of several gigabytes costs only the pages being read.
public final class JSONLLineReader: @unchecked Sendable {
    /// One line: its 1-based number and its bytes (without the newline and a trailing carriage return).
    public struct Line {
        public let number: Int
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

    public let path: String
    public let byteCount: Int
    private let base: UnsafeRawPointer?
    /// Pages before this offset have been handed back to the kernel (read pages would otherwise count in the
    /// resident set until the end, making memory grow with the file).
    private var released = 0
    private static let releaseStep = 32 << 20

    /// Maps `url` read-only.
    public init(url: URL) throws(ImportError) {
        path = url.path
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: url.path, reason: "not a regular file") }
        byteCount = Int(info.st_size)
        if byteCount == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else { throw .unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        madvise(mapped, byteCount, MADV_SEQUENTIAL)
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), byteCount) }
    }

    /// Calls `body` for every line, in order (a final line without a newline included; nothing after the last newline).
    /// A line's bytes are valid only during the call.
    public func forEachLine<E: Error>(_ body: (Line) throws(E) -> Void) throws(E) {
        try lines(releasing: true, body)
    }

    /// Drops the mapped pages wholly before `offset` from memory (they are re-read from the file if touched again).
    private func release(upTo offset: Int) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = offset / page * page
        guard end > released else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }

    private func lines<E: Error>(releasing: Bool, _ body: (Line) throws(E) -> Void) throws(E) {
        guard let base else { return }
        var start = 0
        var number = 0
        while start < byteCount {
            number += 1
            let remaining = byteCount - start
            let end: Int
            if let hit = memchr(base + start, 0x0A, remaining) {
                end = UnsafeRawPointer(hit) - base
            } else {
                end = byteCount
            }
            var contentEnd = end
            if contentEnd > start, base.load(fromByteOffset: contentEnd - 1, as: UInt8.self) == 0x0D { contentEnd -= 1 }
            try body(Line(number: number, bytes: UnsafeRawBufferPointer(start: base + start, count: contentEnd - start), endOffset: min(end + 1, byteCount)))
            start = end + 1
            if releasing, start - released >= Self.releaseStep { release(upTo: start) }
        }
    }

    /// Calls `body` with consecutive batches of up to `size` lines (for processing a batch on several threads).
    /// The lines' bytes are valid only during the call.
    public func forEachBatch<E: Error>(of size: Int, _ body: ([Line]) throws(E) -> Void) throws(E) {
        var batch: [Line] = []
        batch.reserveCapacity(size)
        try lines(releasing: false) { (line: Line) throws(E) in
            batch.append(line)
            if batch.count == size {
                try body(batch)
                let end = line.endOffset
                batch.removeAll(keepingCapacity: true)
                if end - released >= Self.releaseStep { release(upTo: end) }
            }
        }
        if !batch.isEmpty { try body(batch) }
    }
}
