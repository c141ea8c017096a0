import Foundation

/// Progress of a long step on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise
/// (logs and pipes). Thread-safe; cheap to call often (it redraws at most 10 times a second).
public final class DatasetProgress: @unchecked Sendable {
    private let title: String
    private let isTerminal: Bool
    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drewBar = false

    public init(title: String) {
        self.title = title
        isTerminal = isatty(2) == 1
        // Logs get their first line after 5 s, so short runs stay quiet.
        if !isTerminal { lastDraw = start }
    }

    /// Reports `done` of `total` bytes.
    public func update(_ done: Int, of total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= (isTerminal ? 0.1 : 5) else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let megabytes = String(format: "%.0f/%.0f MB", Double(done) / 1_048_576, Double(total) / 1_048_576)
        let elapsed = String(format: "%.0fs", now.timeIntervalSince(start))
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(title) \(bar) \(Int(fraction * 100))% \(megabytes) \(elapsed)\u{1B}[K".utf8))
            drewBar = true
        } else {
            FileHandle.standardError.write(Data("\(title): \(Int(fraction * 100))% (\(megabytes), \(elapsed))\n".utf8))
        }
    }

    /// Ends the bar's line (call once when done).
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drewBar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drewBar = false
    }
}
