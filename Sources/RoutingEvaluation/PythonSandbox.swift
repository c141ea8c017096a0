import Foundation

/// Runs untrusted answer code with its unit tests in a separate `python3` process: no user site packages and no
/// script directory on the path (`-s -P`), an empty working directory, no stdin, an environment of only `PATH`,
/// `LANG` and `PYTHONHASHSEED=0` (so that set and dict orders, and thus grades, are the same on every run), CPU
/// and memory limits set by the child itself (`resource.setrlimit`), and a wall-clock timeout after which
/// the process is killed. A pass is exit status 0.
public struct PythonSandbox: Sendable {
    /// Wall-clock seconds before the child is killed.
    public var timeoutSeconds: Double
    /// The interpreter.
    public var python: String

    public init(timeoutSeconds: Double = 10, python: String = "/usr/bin/python3") {
        self.timeoutSeconds = timeoutSeconds
        self.python = python
    }

    static let preamble = """
        import resource, sys
        resource.setrlimit(resource.RLIMIT_CPU, (8, 8))
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
        sys.setrecursionlimit(10000)

        """

    /// Whether `code` followed by `tests` exits 0 in time.
    public func passes(code: String, tests: String) async -> Bool {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("groupqwen-sandbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = directory.appendingPathComponent("answer.py")
            try (Self.preamble + code + "\n\n" + tests + "\n").write(to: script, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-s", "-P", script.path]
            process.currentDirectoryURL = directory
            process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            // The wait happens off the cooperative thread pool: a deadline on a Dispatch queue kills the child, and its
            // termination handler resumes the caller, so a busy pool cannot stretch the time limit.
            let finished = LockedFlag()
            let exitedCleanly: Bool = await withCheckedContinuation { continuation in
                process.terminationHandler = { p in
                    finished.set()
                    continuation.resume(returning: p.terminationReason == .exit && p.terminationStatus == 0)
                }
                do { try process.run() } catch {
                    process.terminationHandler = nil
                    continuation.resume(returning: false)
                    return
                }
                let pid = process.processIdentifier
                DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                    if !finished.isSet { kill(pid, SIGKILL) }
                }
            }
            return exitedCleanly
        } catch {
            return false
        }
    }
}

/// A flag set once, read from any thread.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
