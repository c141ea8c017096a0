import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a JSONL file line by line through a buffer, into a temporary file next to the destination that is
/// renamed into place by ``commit()``; an error (or dropping the writer without committing) leaves no
/// half-written output behind.
public final class JSONLinesFileWriter {
    /// The final path.
    public let destination: URL
    /// Lines written so far.
    public private(set) var lineCount = 0
    /// Bytes written so far.
    public private(set) var byteCount: Int64 = 0

    private let temporary: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let bufferLimit: Int
    private var closed = false

    /// Creates the temporary file; `bufferLimit` bytes are gathered before each write.
    public init(destination: URL, bufferLimit: Int = 1 << 20) throws(ImportError) {
        self.destination = destination
        self.bufferLimit = bufferLimit
        let directory = destination.deletingLastPathComponent()
        temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw .unwritable(path: destination.path, reason: "cannot create a file in \(directory.path)")
        }
        PartialFiles.register(temporary.path)
        do { handle = try FileHandle(forWritingTo: temporary) } catch {
            try? FileManager.default.removeItem(at: temporary)
            PartialFiles.unregister(temporary.path)
            throw .unwritable(path: destination.path, reason: (error as NSError).localizedDescription)
        }
        buffer.reserveCapacity(bufferLimit + 4096)
    }

    deinit {
        if !closed { discard() }
    }

    /// Appends `line` and a newline.
    public func write(line: String) throws(ImportError) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        lineCount += 1
        if buffer.count >= bufferLimit { try flush() }
    }

    /// Flushes, closes and renames the file into place (replacing an existing file).
    public func commit() throws(ImportError) {
        try flush()
        closed = true
        do { try handle.close() } catch {
            try? FileManager.default.removeItem(at: temporary)
            PartialFiles.unregister(temporary.path)
            throw .unwritable(path: destination.path, reason: "cannot close the output: \((error as NSError).localizedDescription)")
        }
        // rename(2) replaces an existing file atomically.
        defer { PartialFiles.unregister(temporary.path) }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .unwritable(path: destination.path, reason: "cannot move the output into place: \(reason)")
        }
    }

    /// Closes and deletes the temporary file; the destination is left as it was.
    public func discard() {
        closed = true
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
        PartialFiles.unregister(temporary.path)
    }

    private func flush() throws(ImportError) {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw .unwritable(path: destination.path, reason: "write failed: \((error as NSError).localizedDescription)")
        }
        byteCount += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}
