import Foundation

/// Reads the elements of a large JSON array one at a time, without parsing the whole document.
///
/// The array is either the top-level value (`[…]`) or the value of one top-level key (`{"conversations": […]}`,
/// when `key` is given). A byte scanner that tracks string and escape state and bracket depth finds where each
/// element ends; only that element's bytes are handed to `JSONSerialization`. The file itself is memory-mapped,
/// so memory use stays at one element plus the pages the kernel keeps mapped, whatever the file size.
///
/// Truncated or malformed input throws ``ImportError/malformedJSON(path:offset:reason:)`` with the byte offset.
public struct JSONArrayStreamReader {
    /// The name used in errors (usually the file's path).
    public let name: String
    /// Bytes scanned so far (for progress).
    public private(set) var offset: Int = 0
    /// Elements returned so far.
    public private(set) var elementCount: Int = 0
    /// The size of the input in bytes.
    public var byteCount: Int { data.count }

    private let data: Data
    private let key: String?
    private var state: State = .notStarted
    private var file: MappedFile?
    private var releasedUpTo = 0
    private var topLevelIsArray = false

    private enum State { case notStarted, afterOpen, afterElement, finished }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    private static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    private static let comma = UInt8(ascii: ","), colon = UInt8(ascii: ":")

    /// Memory-maps `url`. `key` names the top-level key whose array is read when the document is an object.
    public init(contentsOf url: URL, key: String? = nil) throws(ImportError) {
        self.init(file: try MappedFile(url), name: url.path, key: key)
    }

    /// Reads a mapped file, handing the pages already read back to the kernel as it goes.
    public init(file: MappedFile, name: String, key: String? = nil) {
        self.init(data: file.data, name: name, key: key)
        self.file = file
    }

    /// Reads from bytes already in memory.
    public init(data: Data, name: String, key: String? = nil) {
        self.data = data
        self.name = name
        self.key = key
    }

    /// The next element parsed with `JSONSerialization` (fragments allowed), or nil after the last one.
    public mutating func next() throws(ImportError) -> Any? {
        guard let range = try nextRange() else { return nil }
        do {
            return try JSONSerialization.jsonObject(with: data.subdata(in: range), options: [.fragmentsAllowed])
        } catch {
            throw .malformedJSON(path: name, offset: range.lowerBound,
                                 reason: "element \(elementCount) is not valid JSON (\(Self.oneLine(error)))")
        }
    }

    /// The byte range of the next element, or nil after the last one.
    public mutating func nextRange() throws(ImportError) -> Range<Int>? {
        let data = self.data
        let result: Result<Range<Int>?, ImportError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            do throws(ImportError) { return .success(try advance(bytes)) } catch { return .failure(error) }
        }
        let range = try result.get()
        if let range {
            elementCount += 1
            if let file, range.lowerBound - releasedUpTo >= 32 << 20 {
                file.release(before: range.lowerBound)
                releasedUpTo = range.lowerBound
            }
        }
        return range
    }

    /// The element at `range` (from ``nextRange()``) parsed, for callers that keep ranges and parse later.
    public func element(at range: Range<Int>) throws(ImportError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data.subdata(in: range), options: [.fragmentsAllowed])
        } catch {
            throw .malformedJSON(path: name, offset: range.lowerBound, reason: "element is not valid JSON (\(Self.oneLine(error)))")
        }
    }

    private mutating func advance(_ bytes: UnsafeBufferPointer<UInt8>) throws(ImportError) -> Range<Int>? {
        switch state {
        case .finished:
            return nil
        case .notStarted:
            try openArray(bytes)
            return try advance(bytes)
        case .afterOpen:
            let position = skipWhitespace(bytes, from: offset)
            guard position < bytes.count else { throw truncated(at: position, "the file ends inside the array") }
            if bytes[position] == Self.closeBracket { return try close(bytes, at: position) }
            let end = try scanValue(bytes, from: position)
            offset = end
            state = .afterElement
            return position..<end
        case .afterElement:
            var position = skipWhitespace(bytes, from: offset)
            guard position < bytes.count else {
                throw truncated(at: position, "the file ends after element \(elementCount); the array is never closed")
            }
            if bytes[position] == Self.closeBracket { return try close(bytes, at: position) }
            guard bytes[position] == Self.comma else {
                throw .malformedJSON(path: name, offset: position, reason: "expected ',' or ']' after element \(elementCount)")
            }
            position = skipWhitespace(bytes, from: position + 1)
            guard position < bytes.count else { throw truncated(at: position, "the file ends after a ','") }
            guard bytes[position] != Self.closeBracket else {
                throw .malformedJSON(path: name, offset: position, reason: "a ',' is followed by ']'")
            }
            let end = try scanValue(bytes, from: position)
            offset = end
            return position..<end
        }
    }

    private mutating func close(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) throws(ImportError) -> Range<Int>? {
        state = .finished
        offset = bytes.count
        if key == nil || topLevelIsArray {
            let rest = skipWhitespace(bytes, from: position + 1)
            if rest < bytes.count {
                throw .malformedJSON(path: name, offset: rest, reason: "unexpected data after the end of the array")
            }
        }
        return nil
    }

    /// Positions `offset` just after the `[` of the array to read.
    private mutating func openArray(_ bytes: UnsafeBufferPointer<UInt8>) throws(ImportError) {
        var position = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        position = skipWhitespace(bytes, from: position)
        guard position < bytes.count else { throw .malformedJSON(path: name, offset: position, reason: "the file is empty") }
        if bytes[position] == Self.openBracket {
            topLevelIsArray = true
            offset = position + 1
            state = .afterOpen
            return
        }
        guard let key, bytes[position] == Self.openBrace else {
            let expected = key.map { "a JSON array or an object with a \"\($0)\" array" } ?? "a JSON array"
            throw .unexpectedShape("\(name): expected \(expected)")
        }
        let wanted = Array(key.utf8)
        position += 1
        while true {
            position = skipWhitespace(bytes, from: position)
            guard position < bytes.count else { throw truncated(at: position, "the file ends inside the top-level object") }
            if bytes[position] == Self.closeBrace { throw .unexpectedShape("\(name): the top-level object has no \"\(key)\" array") }
            if bytes[position] == Self.comma { position += 1; continue }
            guard bytes[position] == Self.quote else {
                throw .malformedJSON(path: name, offset: position, reason: "expected a key in the top-level object")
            }
            let keyEnd = try scanValue(bytes, from: position)
            let matches = keyEnd - position - 2 == wanted.count && wanted.indices.allSatisfy { bytes[position + 1 + $0] == wanted[$0] }
            position = skipWhitespace(bytes, from: keyEnd)
            guard position < bytes.count, bytes[position] == Self.colon else {
                throw .malformedJSON(path: name, offset: position, reason: "expected ':' after a key in the top-level object")
            }
            position = skipWhitespace(bytes, from: position + 1)
            guard position < bytes.count else { throw truncated(at: position, "the file ends after a key") }
            if matches {
                guard bytes[position] == Self.openBracket else {
                    throw .unexpectedShape("\(name): \"\(key)\" is not an array")
                }
                offset = position + 1
                state = .afterOpen
                return
            }
            position = try scanValue(bytes, from: position)
        }
    }

    /// The end (exclusive) of the JSON value starting at `start`.
    private func scanValue(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) throws(ImportError) -> Int {
        let first = bytes[start]
        let count = bytes.count
        if first == Self.quote {
            var i = start + 1
            while i < count {
                let b = bytes[i]
                if b == Self.backslash { i += 2; continue }
                if b == Self.quote { return i + 1 }
                i += 1
            }
            throw truncated(at: count, "the file ends inside a string that starts at byte \(start)")
        }
        if first == Self.openBrace || first == Self.openBracket {
            var depth = 0
            var i = start
            while i < count {
                let b = bytes[i]
                if b == Self.quote {
                    i += 1
                    while i < count {
                        let c = bytes[i]
                        if c == Self.backslash { i += 2; continue }
                        if c == Self.quote { break }
                        i += 1
                    }
                    guard i < count else {
                        throw truncated(at: count, "the file ends inside a string in element \(elementCount + 1) (which starts at byte \(start))")
                    }
                } else if b == Self.openBrace || b == Self.openBracket {
                    depth += 1
                } else if b == Self.closeBrace || b == Self.closeBracket {
                    depth -= 1
                    if depth == 0 { return i + 1 }
                }
                i += 1
            }
            throw truncated(at: count, "the file ends inside element \(elementCount + 1) (which starts at byte \(start))")
        }
        if first == Self.closeBrace || first == Self.closeBracket || first == Self.comma || first == Self.colon {
            throw .malformedJSON(path: name, offset: start, reason: "expected a value, found '\(Character(Unicode.Scalar(first)))'")
        }
        var i = start
        while i < count {
            let b = bytes[i]
            if b == Self.comma || b == Self.closeBracket || b == Self.closeBrace || Self.isWhitespace(b) { break }
            i += 1
        }
        return i
    }

    private func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        while i < bytes.count, Self.isWhitespace(bytes[i]) { i += 1 }
        return i
    }

    private static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    private func truncated(at offset: Int, _ reason: String) -> ImportError {
        .malformedJSON(path: name, offset: offset, reason: reason + " (truncated file?)")
    }

    static func oneLine(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? (error as NSError).localizedDescription
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
