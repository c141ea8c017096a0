/// What a streamed answer with tools yields, piece by piece: text to send as content, or a finished call.
public enum ToolStreamEvent: Sendable, Equatable {
    case content(String)
    case call(ParsedToolCall)
}

/// ``ToolCallParser`` for an answer that arrives in pieces: content is passed on as soon as it cannot be the start of
/// a `<tool_call>` tag, each call once its block is closed (or the answer ends). An answer that opens like a bare call
/// (`ToolCallFormat.bareCallOpenings`) is held to the end, where it is either a bare call or content, so a stream says what the whole answer would.
public struct ToolCallStreamParser: Sendable {
    private let parser: ToolCallParser
    private var buffer = ""
    private var inCall = false
    private var sawCall = false
    /// Nothing but whitespace has been seen yet.
    private var atStart = true
    private var holdingBare = false

    public init(names: Set<String>) { parser = ToolCallParser(names: names) }

    public mutating func feed(_ piece: String) -> [ToolStreamEvent] {
        buffer += piece
        if atStart {
            let trimmed = buffer.trimmingWhitespace
            // Undecided while the answer could still open like a bare call.
            if ToolCallFormat.bareCallOpenings.contains(where: { $0.hasPrefix(trimmed) && $0 != trimmed }) { return [] }
            atStart = false
            holdingBare = ToolCallFormat.bareCallOpenings.contains(where: trimmed.hasPrefix)
        }
        if holdingBare { return [] }
        var events: [ToolStreamEvent] = []
        while true {
            if inCall {
                guard let close = buffer.range(of: ToolCallFormat.callClose) else { break }
                let body = buffer[..<close.lowerBound]
                events += callEvents(body, closed: true)
                buffer = String(buffer[close.upperBound...])
                inCall = false
            } else if let open = buffer.range(of: ToolCallFormat.callOpen) {
                emitContent(String(buffer[..<open.lowerBound]), into: &events)
                buffer = String(buffer[open.upperBound...])
                inCall = true
            } else {
                // Keep back only what could still become the opening tag.
                let keep = Self.partialTagLength(buffer)
                emitContent(String(buffer.dropLast(keep)), into: &events)
                buffer = String(buffer.suffix(keep))
                break
            }
        }
        return events
    }

    /// The rest, once the answer has ended.
    public mutating func finish() -> [ToolStreamEvent] {
        defer { buffer = "" }
        if holdingBare {
            let (content, calls) = parser.parse(buffer)
            return calls.isEmpty ? [.content(content)] : calls.map(ToolStreamEvent.call)
        }
        var events: [ToolStreamEvent] = []
        if inCall {
            events += callEvents(Substring(buffer), closed: false)
        } else {
            emitContent(buffer, into: &events)
        }
        return events
    }

    private mutating func callEvents(_ body: Substring, closed: Bool) -> [ToolStreamEvent] {
        if let (call, after) = parser.leadingCall(in: body) {
            sawCall = true
            var events: [ToolStreamEvent] = [.call(call)]
            emitContent(String(after), into: &events)
            return events
        }
        return [.content(ToolCallFormat.callOpen + body + (closed ? ToolCallFormat.callClose : ""))]
    }

    /// Content, except the whitespace between and after calls.
    private func emitContent(_ text: String, into events: inout [ToolStreamEvent]) {
        guard !text.isEmpty, !(sawCall && text.trimmingWhitespace.isEmpty) else { return }
        events.append(.content(text))
    }

    /// The length of the longest end of `text` that begins the opening tag.
    static func partialTagLength(_ text: String) -> Int {
        let tag = Array(ToolCallFormat.callOpen)
        let tail = Array(text.suffix(tag.count - 1))
        for length in stride(from: min(tail.count, tag.count - 1), through: 1, by: -1)
        where tail.suffix(length).elementsEqual(tag.prefix(length)) {
            return length
        }
        return 0
    }
}
