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
    /// The file's bytes (backed by the mapping).
    public let data: Data
    private let base: UnsafeMutableRawPointer?
    private let length: Int
    private let lock = NSLock()
    private var released = 0

    /// Maps `url`.
    public init(_ url: URL) throws(ImportError) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        if (info.st_mode & S_IFMT) == S_IFREG, size > 0,
           let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED {
            _ = madvise(pointer, size, MADV_SEQUENTIAL)
            base = pointer
            length = size
            data = Data(bytesNoCopy: pointer, count: size, deallocator: .custom { pointer, count in _ = munmap(pointer, count) })
        } else {
            base = nil
            length = 0
            do { data = try Data(contentsOf: url) } catch {
                throw .unreadable(path: url.path, reason: (error as NSError).localizedDescription)
            }
        }
    }

    /// Lets the kernel drop the resident pages before `offset` (they are read again from the file if touched).
    public func release(before offset: Int) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, length) / page * page
        lock.lock()
        defer { lock.unlock() }
        guard end > released else { return }
        _ = madvise(base + released, end - released, MADV_DONTNEED)
        released = end
    }
}
