import Foundation

/// Conversations read one at a time from an export, in source order, so that an import never holds them all.
public protocol ConversationSource {
    /// Bytes of the input consumed so far (for progress).
    var bytesRead: Int { get }
    /// The size of the input in bytes.
    var byteCount: Int { get }
    /// The next conversation, or nil at the end of the input.
    mutating func next() throws(ImportError) -> Conversation?
}

extension ConversationSource {
    /// Every remaining conversation (for inputs small enough to hold, such as tests and fixtures).
    public mutating func collect() throws(ImportError) -> [Conversation] {
        var result: [Conversation] = []
        while let conversation = try next() { result.append(conversation) }
        return result
    }
}

/// A ``ConversationSource`` over the elements of a JSON array (ChatGPT, Claude `conversations.json`), turning
/// each element into at most one conversation with `convert` (nil skips the element).
public struct JSONArrayConversationSource: ConversationSource {
    private var reader: JSONArrayStreamReader
    private let convert: (Any) throws(ImportError) -> Conversation?

    /// Converts each element of `reader` with `convert`.
    public init(reader: JSONArrayStreamReader, convert: @escaping (Any) throws(ImportError) -> Conversation?) {
        self.reader = reader
        self.convert = convert
    }

    public var bytesRead: Int { reader.offset }
    public var byteCount: Int { reader.byteCount }

    public mutating func next() throws(ImportError) -> Conversation? {
        while let element = try reader.next() {
            if let conversation = try convert(element) { return conversation }
        }
        return nil
    }
}

/// A ``ConversationSource`` over the records of a JSON array or JSONL file (ShareGPT, Alpaca, OpenAI chat).
public struct JSONRecordConversationSource: ConversationSource {
    private var reader: JSONRecordReader
    private let convert: (JSONRecordReader.Record) throws(ImportError) -> Conversation?

    /// Converts each record of `reader` with `convert`.
    public init(reader: JSONRecordReader, convert: @escaping (JSONRecordReader.Record) throws(ImportError) -> Conversation?) {
        self.reader = reader
        self.convert = convert
    }

    /// Converts each record's JSON value with `convert(value, recordNumber, fileName, location)`, numbering
    /// records from 1.
    public static func numbered(_ reader: JSONRecordReader,
                                convert: @escaping (Any, Int, String, String) throws(ImportError) -> Conversation?) -> Self {
        var number = 0
        let path = reader.name
        return Self(reader: reader) { (record) throws(ImportError) -> Conversation? in
            number += 1
            return try convert(record.object(in: path), number, path, record.location)
        }
    }

    public var bytesRead: Int { reader.offset }
    public var byteCount: Int { reader.byteCount }

    public mutating func next() throws(ImportError) -> Conversation? {
        while let record = try reader.next() {
            if let conversation = try convert(record) { return conversation }
        }
        return nil
    }
}
