import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file mapped read-only into memory, whose already-read pages can be handed back to the kernel, so that
/// streaming through a large export keeps only a window of it resident instead of the whole file.
/// Files that cannot be mapped (pipes, some special files) are read into memory instead.
public final class MappedFile: @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// The file's bytes (backed by the mapping; they stay valid as long as this `Data` lives).
    public let data: Data
    /// The same bytes as a buffer that stays valid as long as this object lives.
    public var bytes: UnsafeRawBufferPointer { storage.bytes }
    private let storage: Storage
    private let lock = NSLock()
    private var released = 0

    /// Owns the mapping (or the copy of an unmappable file) and unmaps or frees it when the last user goes:
    /// the `MappedFile`, or the `data` handed out (`Data` copies very small buffers and drops the original at once).
    private final class Storage: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
        let isMapped: Bool

        init(bytes: UnsafeRawBufferPointer, isMapped: Bool) {
            self.bytes = bytes
            self.isMapped = isMapped
        }

        /// A copy of `data` of our own (so that `bytes` has a stable address).
        convenience init(copying data: Data) {
            guard !data.isEmpty else {
                self.init(bytes: UnsafeRawBufferPointer(start: nil, count: 0), isMapped: false)
                return
            }
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
            copy.copyBytes(from: data)
            self.init(bytes: UnsafeRawBufferPointer(copy), isMapped: false)
        }

        deinit {
            guard let base = bytes.baseAddress else { return }
            if isMapped { _ = munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) } else { base.deallocate() }
        }

        /// The bytes as `Data` that keeps this storage alive.
        var data: Data {
            guard let base = bytes.baseAddress else { return Data() }
            return Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count,
                        deallocator: .custom { _, _ in withExtendedLifetime(self) {} })
        }
    }

    /// Maps `url`.
    public init(_ url: URL) throws(ImportError) {
        path = url.path
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw .unreadable(path: url.path, reason: "is a directory") }
        let size = Int(info.st_size)
        if (info.st_mode & S_IFMT) == S_IFREG, size > 0,
           let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED {
            _ = madvise(pointer, size, MADV_SEQUENTIAL)
            storage = Storage(bytes: UnsafeRawBufferPointer(start: pointer, count: size), isMapped: true)
        } else {
            // A pipe (`/dev/stdin`), a FIFO or an empty file: read what the descriptor gives until its end.
            var contents = Data()
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .unreadable(path: url.path, reason: String(cString: strerror(errno)))
                }
                contents.append(contentsOf: chunk[0..<n])
            }
            storage = Storage(copying: contents)
        }
        data = storage.data
    }

    /// Lets the kernel drop the resident pages before `offset` (they are read again from the file if touched).
    public func release(before offset: Int) {
        guard storage.isMapped, let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, bytes.count) / page * page
        lock.lock()
        defer { lock.unlock() }
        guard end > released else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }
}
