#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The signature of `LLVMFuzzerTestOneInput`.
public typealias FuzzEntry = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                 _ callback: FuzzEntry) -> CInt

/// Runs libFuzzer with the process's arguments (`-max_total_time=…`, corpus directories, …) on `entry`, then exits
/// with its status.
public func runFuzzer(_ entry: FuzzEntry) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
}

/// A scratch file for readers that take a path (the GGUF and safetensors readers map files): one per process,
/// in `/dev/shm` when it exists so that every input does not touch the disk.
public final class ScratchFile {
    public let path: String

    public init(_ name: String) {
        var st = stat()
        let directory = stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp"
        path = "\(directory)/groupqwen-fuzz-\(name)-\(getpid())"
        scratchPaths.append(path)
        if scratchPaths.count == 1 { atexit { for p in scratchPaths { unlink(p) } } }
    }

    /// Replaces the file's contents with `size` bytes at `data`.
    public func replaceContents(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot create \(path)")
        var done = 0
        while done < size {
            let n = write(fd, data + done, size - done)
            precondition(n > 0, "cannot write \(path)")
            done += n
        }
        close(fd)
    }

    deinit { unlink(path) }
}

nonisolated(unsafe) private var scratchPaths: [String] = []
