import Foundation

/// Where the interactive reviewer reads its commands: one line per call, nil at the end of input.
public protocol ReviewLineSource {
    mutating func nextLine() -> String?
}

/// Where the interactive reviewer writes what it shows.
public protocol ReviewTextSink {
    mutating func write(_ text: String)
}

/// Lines from standard input.
public struct StandardInputLines: ReviewLineSource {
    public init() {}
    public mutating func nextLine() -> String? { Swift.readLine(strippingNewline: true) }
}

/// Text to standard output, flushed at once (prompts have no newline).
public struct StandardOutputText: ReviewTextSink {
    public init() {}
    public mutating func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}

/// Lines from a fixed script (tests, or a file of commands).
public struct ScriptedLines: ReviewLineSource {
    private var lines: [String]
    public init(_ lines: [String]) { self.lines = lines }
    public mutating func nextLine() -> String? { lines.isEmpty ? nil : lines.removeFirst() }
}

/// Collects the output in memory.
public final class CollectedText: ReviewTextSink {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) { self.text += text }
}
