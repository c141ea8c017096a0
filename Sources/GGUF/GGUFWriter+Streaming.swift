#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GGUFWriter {
    /// Writes the file to `path`, asking `tensorData` for the data of each tensor in order:
    /// `tensorData(index, emit)` must pass exactly `tensors[index].byteCount` bytes to `emit`, in one
    /// or more pieces. Nothing but the current piece needs to be in memory.
    ///
    /// The data goes to a temporary file beside `path` that is renamed into place only once
    /// everything was written and synced; on any error (including one thrown by `tensorData`) the
    /// temporary file is removed and `path` is left as it was.
    ///
    /// - Throws: `GGUFWriterError.cannotWrite`, `.invalidTensor` when a tensor's data has the
    ///   wrong size, or whatever `tensorData` throws.
    public func write(
        to path: String,
        tensorData: (_ index: Int, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GGUFWriterError.cannotWrite(path: path, reason: Self.systemError()) }
        var ok = false
        defer {
            if !ok { close(fd); unlink(temporary) }
        }
        let zeros = [UInt8](repeating: 0, count: alignment)
        let header = headerBytes()
        try header.withUnsafeBytes { try Self.writeAll(fd, $0, path: path) }
        for (index, tensor) in tensors.enumerated() {
            var written = 0
            try tensorData(index) { piece in
                guard written + piece.count <= tensor.byteCount else {
                    throw GGUFWriterError.invalidTensor(name: tensor.name, reason: "more than the \(tensor.byteCount) bytes of data it needs")
                }
                try Self.writeAll(fd, piece, path: path)
                written += piece.count
            }
            guard written == tensor.byteCount else {
                throw GGUFWriterError.invalidTensor(name: tensor.name, reason: "\(written) bytes of data written, \(tensor.byteCount) needed")
            }
            let padding = Self.padded(written, alignment) - written
            try zeros.withUnsafeBytes { try Self.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<padding]), path: path) }
        }
        guard fsync(fd) == 0 else { throw GGUFWriterError.cannotWrite(path: path, reason: Self.systemError()) }
        ok = true
        guard close(fd) == 0 else {
            let reason = Self.systemError()
            unlink(temporary)
            throw GGUFWriterError.cannotWrite(path: path, reason: reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = Self.systemError()
            unlink(temporary)
            throw GGUFWriterError.cannotWrite(path: path, reason: reason)
        }
    }
}
