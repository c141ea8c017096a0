import Foundation

/// Writes lines to a file through a large buffer (streaming output: memory stays at the buffer size). The file is
/// written to a temporary name next to the destination and moved into place by `finish()`, so a failed run never
/// leaves a half-written dataset under the final name.
public final class JSONLWriter {
    public let url: URL
    public private(set) var lineCount = 0
    private let temporary: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let capacity: Int

    public init(url: URL, bufferSize: Int = 1 << 20) throws(ImportError) {
        self.url = url
        capacity = bufferSize
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw .unreadable(path: url.path, reason: "cannot create the file")
        }
        self.handle = handle
        buffer.reserveCapacity(bufferSize + 4096)
    }

    /// Appends `line` and a newline.
    public func write(line: String) throws(ImportError) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        lineCount += 1
        if buffer.count >= capacity { try flush() }
    }

    private func flush() throws(ImportError) {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw .unreadable(path: url.path, reason: "write failed: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and moves the file into place.
    public func finish() throws(ImportError) {
        try flush()
        try? handle.close()
        do {
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            throw .unreadable(path: url.path, reason: "cannot move the finished file into place: \(error.localizedDescription)")
        }
    }

    /// Closes and deletes the partial file (after an error).
    public func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }
}
