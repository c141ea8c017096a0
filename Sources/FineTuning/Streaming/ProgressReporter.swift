import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of a long step on stderr: a one-line bar redrawn with `\r` when stderr is a terminal
/// (`label [#####-----] 45% 225.0/500.0 MB · 12,345 conversations · 85.1 MB/s`), plain lines otherwise,
/// at every 10% or every 5 seconds, whichever comes first. Thread-safe.
public final class ProgressReporter: @unchecked Sendable {
    /// Where the lines go: a redrawn bar (terminal) or plain periodic lines (logs, pipes).
    public enum Style: Sendable { case bar, lines }

    /// Makes the reporter of one step once its size is known: `(label, total bytes, item name)`. The import,
    /// curation and split take one, so that the caller chooses where progress goes (or passes none).
    public typealias Factory = (_ label: String, _ totalBytes: Int64, _ itemName: String) -> ProgressReporter

    /// The first word of each line (`import`, `curate`, …).
    public let label: String
    /// The total in bytes, when known.
    public let total: Int64?
    /// What is counted in `items` ("conversations", "lines", …); empty to show bytes only.
    public let itemName: String
    /// Bar or plain lines.
    public let style: Style

    private let write: @Sendable (String) -> Void
    private let clock: @Sendable () -> Double
    private let lock = NSLock()
    private let start: Double
    private var done: Int64 = 0
    private var items = 0
    private var lastDraw = -Double.infinity
    private var lastLineTime: Double
    private var lastLineTenth = 0
    private var lastLine: (done: Int64, items: Int)?
    private var finished = false

    /// A reporter on stderr, as a bar when stderr is a terminal and as plain lines otherwise.
    public convenience init(label: String, total: Int64?, itemName: String = "conversations") {
        self.init(label: label, total: total, itemName: itemName, style: isatty(2) == 1 ? .bar : .lines) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// A reporter writing to `write` (tests pass their own sink and clock).
    public init(label: String, total: Int64?, itemName: String = "conversations", style: Style,
                clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime },
                write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.total = total.flatMap { $0 > 0 ? $0 : nil }
        self.itemName = itemName
        self.style = style
        self.write = write
        self.clock = clock
        start = clock()
        lastLineTime = start
    }

    /// Records that `done` bytes and `items` items are finished; redraws when it is time.
    public func advance(to done: Int64, items: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        self.done = done
        self.items = items
        let now = clock()
        switch style {
        case .bar:
            guard now - lastDraw >= 0.1 else { return }
            lastDraw = now
            write("\r" + render(now: now))
        case .lines:
            let tenth = total.map { Int(min(10, done * 10 / $0)) } ?? 0
            guard tenth > lastLineTenth || now - lastLineTime >= 5 else { return }
            lastLineTenth = max(tenth, lastLineTenth)
            lastLineTime = now
            lastLine = (done, items)
            write(render(now: now) + "\n")
        }
    }

    /// Draws the final state (and ends the bar's line). Further calls do nothing.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        let line = render(now: clock())
        switch style {
        case .bar: write("\r" + line + "\n")
        case .lines: if lastLine.map({ $0 != (done, items) }) ?? true { write(line + "\n") }
        }
    }

    /// The text of one progress line.
    func render(now: Double) -> String {
        let elapsed = max(now - start, 1e-9)
        var parts: [String] = []
        if let total {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 20)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled)
            parts.append("\(label) [\(bar)] \(Int(fraction * 100))% \(Self.megabytes(done))/\(Self.megabytes(total)) MB")
        } else {
            parts.append("\(label) \(Self.megabytes(done)) MB")
        }
        if !itemName.isEmpty { parts.append("\(Self.grouped(items)) \(itemName)") }
        parts.append(String(format: "%.1f MB/s", Double(done) / 1_000_000 / elapsed))
        return parts.joined(separator: " · ")
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1_000_000) }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var result = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(c)
        }
        return result
    }
}
