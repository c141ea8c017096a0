import FineTuning
import Foundation
import Testing
import ZIPFoundation

@Suite("ZIP exports")
struct ImporterArchiveTests {
    /// A fresh directory, removed by the caller.
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Builds a ZIP at `url` with the given entries (deflated).
    static func makeZIP(_ url: URL, _ entries: [(String, Data)], method: CompressionMethod = .deflate) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: method) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
    }

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: ImporterTests.fixtures.appendingPathComponent(name))
    }

    static func importTurns(_ url: URL, _ format: ExportFormat) throws -> [[String]] {
        var result: [[String]] = []
        try ExportImporter.forEachConversation(in: url, configuration: ExportImportConfiguration(format: format)) {
            result.append(ImporterTests.turns($0))
        }
        return result
    }

    @Test func chatGPTExportInsideAFolderIsFoundAndStreamed() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("export.zip")
        try Self.makeZIP(zip, [
            ("a1b2c3-2024-05-01/chat.html", Data("<html></html>".utf8)),
            ("a1b2c3-2024-05-01/user.json", Data(#"{"email": "x"}"#.utf8)),
            ("a1b2c3-2024-05-01/conversations.json", try Self.fixture("chatgpt-conversations.json")),
            ("a1b2c3-2024-05-01/file-abc.png", Data([0x89, 0x50, 0x4E, 0x47])),
        ])
        #expect(try Self.importTurns(zip, .chatgpt) == [
            ["user: [image]\nWhat is in this picture, and what is 2+2?", "assistant: A cat. And 2+2 is 4."],
            ["system: Answer in French.", "user: Say hello.", "assistant: Bonjour !"],
        ])
        let output = directory.appendingPathComponent("out.jsonl")
        let summary = try ExportImporter.importFile(zip, to: output, configuration: ExportImportConfiguration(format: .chatgpt))
        #expect(summary.archiveEntry == "a1b2c3-2024-05-01/conversations.json" && summary.conversations == 2)
        #expect(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").count == 2)
    }

    @Test func claudeExportZIPIsRead() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("data-2024-05-02.zip")
        try Self.makeZIP(zip, [("users.json", Data("[]".utf8)), ("conversations.json", try Self.fixture("claude-conversations.json"))])
        #expect(try Self.importTurns(zip, .claude).map(\.count) == [4, 2])
    }

    @Test func geminiTakeoutLayoutPicksTheGeminiActivity() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("takeout-20240502T101010Z-001.zip")
        let search = #"[{"header": "Search", "title": "Prompted nothing", "time": "2024-05-01T08:00:00Z", "safeHtmlItem": [{"html": "wrong file"}]}]"#
        try Self.makeZIP(zip, [
            ("Takeout/archive_browser.html", Data("<html></html>".utf8)),
            ("Takeout/My Activity/Search/My Activity.json", Data(search.utf8)),
            ("Takeout/My Activity/Gemini Apps/MY ACTIVITY.JSON", try Self.fixture("gemini-my-activity.json")),
        ])
        let conversations = try Self.importTurns(zip, .gemini)
        #expect(conversations.count == 2)
        #expect(conversations.first?.first == "user: Hello Gemini")
    }

    @Test func aMissingEntryNamesTheFirstEntries() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("export.zip")
        try Self.makeZIP(zip, [("chat.html", Data("x".utf8)), ("user.json", Data("{}".utf8))])
        #expect(throws: ImportError.archive(path: zip.path, reason: "has no conversations.json; entries: chat.html, user.json")) {
            _ = try Self.importTurns(zip, .chatgpt)
        }
        #expect(throws: ImportError.archive(path: zip.path, reason: "has no My Activity.json; entries: chat.html, user.json")) {
            _ = try Self.importTurns(zip, .gemini)
        }
        #expect(throws: ImportError.archive(path: zip.path, reason: "ZIP input is read for chatgpt, claude and gemini exports; unzip it and pass the file")) {
            _ = try Self.importTurns(zip, .sharegpt)
        }
    }

    @Test func corruptOrTruncatedZIPsGiveAnErrorNotACrash() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("export.zip")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: garbage)
        do {
            _ = try Self.importTurns(garbage, .chatgpt)
            Issue.record("garbage was read as a ZIP")
        } catch let error as ImportError {
            guard case let .archive(path, reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == garbage.path && reason.hasPrefix("is not a readable ZIP archive"))
        }
        // A real archive cut in half: it starts like a ZIP but has no central directory.
        let whole = directory.appendingPathComponent("whole.zip")
        try Self.makeZIP(whole, [("conversations.json", try Self.fixture("chatgpt-conversations.json"))])
        let data = try Data(contentsOf: whole)
        let half = directory.appendingPathComponent("half.zip")
        try data.prefix(data.count / 2).write(to: half)
        #expect(ExportArchive.isZIP(half))
        #expect(throws: ImportError.self) { _ = try Self.importTurns(half, .chatgpt) }
        // A missing file is reported as unreadable.
        #expect(throws: ImportError.self) { _ = try Self.importTurns(directory.appendingPathComponent("none.zip"), .claude) }
    }

    @Test func aDamagedEntryFailsItsChecksumAndLeavesNoOutput() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("export.zip")
        try Self.makeZIP(zip, [("conversations.json", try Self.fixture("claude-conversations.json"))], method: .none)
        var bytes = try Data(contentsOf: zip)
        let range = try #require(bytes.range(of: Data("Meeting at noon".utf8)))
        bytes[range.lowerBound] = UInt8(ascii: "X")   // still valid JSON, but not what was stored
        try bytes.write(to: zip)
        let output = directory.appendingPathComponent("out.jsonl")
        do {
            _ = try ExportImporter.importFile(zip, to: output, configuration: ExportImportConfiguration(format: .claude))
            Issue.record("a damaged entry was accepted")
        } catch {
            #expect(error == .archive(path: zip.path, reason: "cannot extract conversations.json: the CRC-32 of conversations.json does not match: the archive is damaged"))
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
