import Foundation

/// What an import did.
public struct ExportImportSummary: Sendable, Equatable {
    /// Conversations written (non-empty ones).
    public var conversations = 0
    /// Conversations skipped because no turn was left.
    public var emptySkipped = 0
    /// Bytes of the input read (the extracted file for a ZIP).
    public var inputBytes: Int64 = 0
    /// The ZIP entry that was read, for a ZIP input.
    public var archiveEntry: String?
}

/// Options of an import.
public struct ExportImportConfiguration: Sendable {
    /// The export format of the input.
    public var format: ExportFormat
    /// Gemini: prompts further apart than this many seconds start a new conversation.
    public var geminiGap: Double

    /// Options for `format`; `geminiGap` in seconds (default 30 minutes).
    public init(format: ExportFormat, geminiGap: Double = GeminiTakeoutImporter.defaultGap) {
        self.format = format
        self.geminiGap = geminiGap
    }
}

/// Reads any supported export (a file, or for ChatGPT, Claude and Gemini also the export ZIP) one conversation
/// at a time and writes OpenAI chat JSONL, one `{"messages": […]}` per conversation in source order, through a
/// buffered writer into a temporary file that replaces the output only when everything was read.
public enum ExportImporter {
    /// Streams every conversation of `input` to `body`, in source order. A ZIP is extracted to a temporary
    /// file first (`onArchiveEntry` gets the entry's path and size, `extracting` the bytes written so far).
    /// `onStart` gets the size in bytes of what is read; `progress` gets (bytes read, conversations so far)
    /// after each conversation.
    public static func forEachConversation(
        in input: URL, configuration: ExportImportConfiguration,
        onArchiveEntry: ((_ entry: String, _ bytes: Int64) -> Void)? = nil,
        extracting: ((_ done: Int64) -> Void)? = nil,
        onStart: ((_ totalBytes: Int64) -> Void)? = nil,
        progress: ((_ done: Int64, _ conversations: Int) -> Void)? = nil,
        _ body: (Conversation) throws(ImportError) -> Void
    ) throws(ImportError) {
        var file = input
        var temporaryDirectory: URL?
        defer { if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) } }
        if ExportArchive.isZIP(input) || input.pathExtension.lowercased() == "zip" {
            guard let wanted = configuration.format.archiveEntry else {
                throw .archive(path: input.path, reason: "ZIP input is read for chatgpt, claude and gemini exports; unzip it and pass the file")
            }
            let entry = try ExportArchive.entryPath(in: input, fileName: wanted.fileName, preferring: wanted.preferring)
            var announced = false
            file = try ExportArchive.extract(entry, from: input) { done, total in
                if !announced { announced = true; onArchiveEntry?(entry, total) }
                extracting?(done)
            }
            temporaryDirectory = file.deletingLastPathComponent()
            if !announced { onArchiveEntry?(entry, 0) }
        }
        var source = try makeSource(file, displayName: input.path == file.path ? input.path : "\(input.path) (\(file.lastPathComponent))",
                                    configuration: configuration)
        onStart?(Int64(source.byteCount))
        var count = 0
        while let conversation = try source.next() {
            count += 1
            try body(conversation)
            progress?(Int64(source.bytesRead), count)
        }
        progress?(Int64(source.byteCount), count)
    }

    /// Imports `input` into OpenAI chat JSONL at `output`; empty conversations are skipped and counted.
    /// `makeProgress(label, total bytes, item name)` makes the reporter of each step once its size is known:
    /// `extract` for a ZIP's entry, then `import`.
    public static func importFile(_ input: URL, to output: URL, configuration: ExportImportConfiguration,
                                  onArchiveEntry: ((_ entry: String, _ bytes: Int64) -> Void)? = nil,
                                  makeProgress: ProgressReporter.Factory? = nil)
        throws(ImportError) -> ExportImportSummary {
        let writer = try JSONLinesFileWriter(destination: output)
        var summary = ExportImportSummary()
        var extraction: ProgressReporter?
        var reporter: ProgressReporter?
        do {
            try forEachConversation(in: input, configuration: configuration, onArchiveEntry: { entry, size in
                summary.archiveEntry = entry
                onArchiveEntry?(entry, size)
                extraction = makeProgress?("extract", size, "")
            }, extracting: { done in
                extraction?.advance(to: done, items: 0)
            }, onStart: { total in
                extraction?.finish()
                summary.inputBytes = total
                reporter = makeProgress?("import", total, "conversations")
            }, progress: { done, _ in
                reporter?.advance(to: done, items: summary.conversations)
            }) { (conversation) throws(ImportError) in
                guard !conversation.turns.isEmpty else { summary.emptySkipped += 1; return }
                try writer.write(line: conversation.openAIJSONLine())
                summary.conversations += 1
            }
            try writer.commit()
        } catch {
            writer.discard()
            extraction?.finish()
            reporter?.finish()
            throw error
        }
        reporter?.finish()
        return summary
    }

    /// The streaming reader for `format`.
    static func makeSource(_ file: URL, displayName: String, configuration: ExportImportConfiguration) throws(ImportError) -> any ConversationSource {
        let mapped: MappedFile
        do { mapped = try MappedFile(file) } catch {
            if case let .unreadable(_, reason) = error { throw .unreadable(path: displayName, reason: reason) }
            throw error
        }
        let data = mapped.data
        switch configuration.format {
        case .chatgpt:
            return JSONArrayConversationSource(reader: JSONArrayStreamReader(file: mapped, name: displayName, key: "conversations")) { element in
                (element as? [String: Any]).flatMap(ChatGPTImporter.conversation)
            }
        case .claude:
            return JSONArrayConversationSource(reader: JSONArrayStreamReader(file: mapped, name: displayName, key: "conversations")) { element in
                (element as? [String: Any]).map(ClaudeImporter.conversation)
            }
        case .gemini:
            return GeminiTakeoutImporter.Source(reader: JSONArrayStreamReader(file: mapped, name: displayName), gap: configuration.geminiGap)
        case .sharegpt:
            return ShareGPTImporter.source(JSONRecordReader(file: mapped, name: displayName))
        case .alpaca:
            return AlpacaImporter.source(JSONRecordReader(file: mapped, name: displayName))
        case .openai:
            return JSONRecordConversationSource(reader: JSONRecordReader(file: mapped, name: displayName)) { (record) throws(ImportError) -> Conversation? in
                try openAIConversation(record, path: displayName)
            }
        case .text:
            return PlainTextQAImporter.Source(data: data, name: displayName)
        }
    }

    /// One OpenAI chat JSONL record, parsed by ``OpenAIChatJSONL`` with the error placed at the record.
    static func openAIConversation(_ record: JSONRecordReader.Record, path: String) throws(ImportError) -> Conversation? {
        // A pretty-printed array element spans several lines; OpenAIChatJSONL reads one line per record.
        let line = record.data.contains(0x0A) ? try compacted(record, path: path) : record.data
        do {
            guard var conversation = try OpenAIChatJSONL.conversations(from: line, name: path).first else { return nil }
            conversation.id = record.location.replacingOccurrences(of: " ", with: "-")
            return conversation
        } catch {
            // The error names "line 1" of the one-record text; place it at the record instead.
            guard case let .badRecord(_, _, reason) = error else { throw error }
            throw .badRecord(path: path, location: record.location, reason: reason)
        }
    }

    private static func compacted(_ record: JSONRecordReader.Record, path: String) throws(ImportError) -> Data {
        let object = try record.object(in: path)
        guard JSONSerialization.isValidJSONObject(object), let data = try? JSONSerialization.data(withJSONObject: object) else {
            throw .badRecord(path: path, location: record.location, reason: #"not an object with a "messages" array"#)
        }
        return data
    }
}
