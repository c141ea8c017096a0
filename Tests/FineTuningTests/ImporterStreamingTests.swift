import FineTuning
import Foundation
import Testing

@Suite("Streaming import")
struct ImporterStreamingTests {
    static let fixtures = ImporterTests.fixtures

    /// Every conversation a file yields through the streaming path.
    static func streamed(_ name: String, _ format: ExportFormat) throws -> [Conversation] {
        var result: [Conversation] = []
        try ExportImporter.forEachConversation(in: fixtures.appendingPathComponent(name),
                                               configuration: ExportImportConfiguration(format: format)) { result.append($0) }
        return result
    }

    static func elements(_ json: String, key: String? = nil) throws(ImportError) -> [Any] {
        var reader = JSONArrayStreamReader(data: Data(json.utf8), name: "test.json", key: key)
        var result: [Any] = []
        while let element = try reader.next() { result.append(element) }
        return result
    }

    /// The offset of a `malformedJSON` error thrown by `body`, or nil.
    static func failureOffset(_ body: () throws -> Void) -> Int? {
        do { try body() } catch let error as ImportError {
            if case let .malformedJSON(_, offset, _) = error { return offset }
        } catch {}
        return nil
    }

    @Test func chatGPTFixtureGivesTheSameTurnsWhenStreamedFromTheFile() throws {
        let conversations = try Self.streamed("chatgpt-conversations.json", .chatgpt)
        #expect(conversations.map(ImporterTests.turns) == [
            ["user: [image]\nWhat is in this picture, and what is 2+2?", "assistant: A cat. And 2+2 is 4."],
            ["system: Answer in French.", "user: Say hello.", "assistant: Bonjour !"],
        ])
        #expect(conversations.map(\.id) == ["c1", "c2"])
    }

    @Test func claudeFixtureGivesTheSameTurnsWhenStreamedFromTheFile() throws {
        let conversations = try Self.streamed("claude-conversations.json", .claude)
        #expect(conversations.map(ImporterTests.turns) == [
            ["user: Summarize this file.\n\n[notes.txt]\nMeeting at noon.", "assistant: A meeting happens at noon.",
             "user: Thanks!", "assistant: You are welcome."],
            ["user: First question?", "assistant: First answer."],
        ])
        #expect(conversations[0].turns[1].time == 1_714_557_605)
    }

    @Test func importFileWritesOneOpenAILinePerConversationInSourceOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.jsonl")
        let summary = try ExportImporter.importFile(Self.fixtures.appendingPathComponent("chatgpt-conversations.json"), to: output,
                                                    configuration: ExportImportConfiguration(format: .chatgpt))
        #expect(summary.conversations == 2 && summary.emptySkipped == 0 && summary.archiveEntry == nil)
        #expect(try String(contentsOf: output, encoding: .utf8) == """
            {"messages":[{"content":"[image]\\nWhat is in this picture, and what is 2+2?","role":"user"},{"content":"A cat. And 2+2 is 4.","role":"assistant"}]}
            {"messages":[{"content":"Answer in French.","role":"system"},{"content":"Say hello.","role":"user"},{"content":"Bonjour !","role":"assistant"}]}

            """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.jsonl"])
    }

    @Test func aTruncatedExportFailsWithTheOffsetAndLeavesTheOldOutputAlone() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = try Data(contentsOf: Self.fixtures.appendingPathComponent("chatgpt-conversations.json"))
        let input = directory.appendingPathComponent("conversations.json")
        try full.prefix(2600).write(to: input)
        let output = directory.appendingPathComponent("out.jsonl")
        try Data("previous\n".utf8).write(to: output)
        do {
            _ = try ExportImporter.importFile(input, to: output, configuration: ExportImportConfiguration(format: .chatgpt))
            Issue.record("a truncated file was accepted")
        } catch {
            guard case let .malformedJSON(path, offset, reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == input.path && offset == 2600)
            #expect(reason.contains("element 2") && reason.contains("truncated"))
            #expect(error.description.hasPrefix("\(input.path): invalid JSON at byte 2600: "))
        }
        #expect(try String(contentsOf: output, encoding: .utf8) == "previous\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["conversations.json", "out.jsonl"])
    }

    @Test func truncationAndSyntaxErrorsCarryTheirByteOffsets() {
        #expect(Self.failureOffset { _ = try Self.elements(#"[{"a": 1}, {"b": [1, 2"#) } == 22)
        #expect(Self.failureOffset { _ = try Self.elements(#"[{"a": 1},"#) } == 10)
        #expect(Self.failureOffset { _ = try Self.elements(#"[{"a": 1} {"b": 2}]"#) } == 10)   // missing comma
        #expect(Self.failureOffset { _ = try Self.elements(#"[{"a": 1}, {"b": }]"#) } == 11)  // bad element: its start
        #expect(Self.failureOffset { _ = try Self.elements(#"[1, 2, ]"#) } == 7)
        #expect(Self.failureOffset { _ = try Self.elements(#"[1] [2]"#) } == 4)
        #expect(Self.failureOffset { _ = try Self.elements(#"[{"a": "open string"#) } == 19)
        #expect(Self.failureOffset { _ = try Self.elements("") } == 0)
        #expect(throws: ImportError.unexpectedShape("test.json: expected a JSON array")) { _ = try Self.elements(#"{"a": 1}"#) }
        #expect(throws: ImportError.unexpectedShape(#"test.json: the top-level object has no "conversations" array"#)) {
            _ = try Self.elements(#"{"a": [1]}"#, key: "conversations")
        }
    }

    @Test func theScannerIsNotFooledByBracketsAndQuotesInsideStrings() throws {
        let json = "\u{FEFF}[ {\"t\": \"a ] } \\\" [ {\", \"u\": \"\\\\\"}, \"x\\\\\", [1, [2, {\"y\": \"]\"}]], 3, true, null ]"
        let elements = try Self.elements(json)
        #expect(elements.count == 6)
        #expect((elements[0] as? [String: String]) == ["t": "a ] } \" [ {", "u": "\\"])
        #expect(elements[1] as? String == "x\\")
        #expect((elements[3] as? Int) == 3 && (elements[4] as? Bool) == true && elements[5] is NSNull)
        #expect(try Self.elements("[]").isEmpty)
        let strings = try Self.elements(#"["say \"hi\" ], ok", "\\", "tab\t\u005d"]"#)
        #expect(strings.compactMap { $0 as? String } == ["say \"hi\" ], ok", "\\", "tab\t]"])
    }

    @Test func aWrappedArrayIsFoundAfterOtherKeys() throws {
        let json = #"{"meta": {"conversations": "not this", "list": [1, {"x": "]"}]}, "n": 2, "conversations": [{"id": 1}, {"id": 2}], "tail": 1}"#
        let elements = try Self.elements(json, key: "conversations")
        #expect(elements.compactMap { ($0 as? [String: Int])?["id"] } == [1, 2])
    }

    @Test func openAILinesAreByteForByteWhatJSONSerializationWrites() throws {
        var tricky = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init)))
        tricky += "\u{85}\u{2028}\u{2029}\u{FEFF}é😀 \\\"/ path/to</x>"
        let conversation = Conversation(id: "x", source: "test", turns: [
            .init(role: .system, text: tricky), .init(role: .user, text: ""), .init(role: .assistant, text: "a\r\n\tb"),
            .init(role: .tool, text: "{\"k\": [1]}"),
        ])
        let messages = conversation.turns.map { ["role": $0.role.rawValue, "content": $0.text] }
        let expected = try JSONSerialization.data(withJSONObject: ["messages": messages], options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(conversation.openAIJSONLine() == String(decoding: expected, as: UTF8.self))
        #expect(Conversation(id: "e", source: "t", turns: []).openAIJSONLine() == #"{"messages":[]}"#)
    }

    @Test func linesOfASmallMappedFileKeepTheirNumbers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tiny.jsonl")
        try Data("a\r\n\n b\nc".utf8).write(to: url)   // smaller than what `Data` stores inline
        var lines: [String] = []
        try JSONLLineReader(url: url).forEachLine { lines.append("\($0.number):\(String(decoding: $0.bytes, as: UTF8.self))") }
        #expect(lines == ["1:a", "2:", "3: b", "4:c"])
        let file = try MappedFile(url)
        #expect(Array(file.bytes) == Array(file.data) && file.data.count == 8)
        let empty = directory.appendingPathComponent("empty.jsonl")
        #expect(FileManager.default.createFile(atPath: empty.path, contents: nil))
        #expect(try MappedFile(empty).bytes.isEmpty)
        #expect(throws: ImportError.unreadable(path: directory.path, reason: "is a directory")) { _ = try MappedFile(directory) }
    }
}
