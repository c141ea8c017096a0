import Foundation

/// Minimal async child-process runner used for pip and wheel extraction.
enum Subprocess {
    struct Result {
        var status: Int32
        /// Last lines of combined stdout+stderr.
        var outputTail: String
    }

    /// Runs `arguments[0]` (looked up on `PATH` via `/usr/bin/env`) with the remaining arguments.
    /// Output goes to a temporary log file (never a pipe, so a chatty child cannot block), whose last
    /// `tailLines` lines are returned. `tick` is called about every 150 ms while the child runs, or again at once if it returns
    /// `true` (it did some work, e.g. hashed bytes the child has written, and has more to do).
    /// If the surrounding task is cancelled the child is terminated and `CancellationError` is thrown.
    static func run(_ arguments: [String], tailLines: Int = 6, tick: () -> Bool = { false }) async throws -> Result {
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("groupqwen-\(getpid())-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        process.environment = env
        do {
            try process.run()
        } catch {
            throw ModelStoreError.io("cannot run \(arguments.first ?? "?"): \(error.localizedDescription)")
        }
        while process.isRunning {
            if Task.isCancelled {
                process.terminate()
                process.waitUntilExit()
                throw CancellationError()
            }
            if tick() {
                await Task.yield()
            } else {
                try? await Task.sleep(nanoseconds: 150_000_000)
            }
        }
        process.waitUntilExit()
        _ = tick()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        return Result(status: process.terminationStatus, outputTail: lines.suffix(tailLines).joined(separator: "\n"))
    }
}
