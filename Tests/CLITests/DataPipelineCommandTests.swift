import Foundation
import Testing

/// `groupqwen data …` end to end on the realistic export fixtures: import → curate → split → validate,
/// as a user runs it, with exit codes and files checked.
@Suite struct DataPipelineCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FineTuningTests/Fixtures")

    func run(_ arguments: [String]) throws -> CommandRunner.Output {
        let result = try CommandRunner.run(["data"] + arguments)
        #expect(result.status == 0, "data \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test(arguments: [("chatgpt", "chatgpt-conversations.json"), ("claude", "claude-conversations.json"),
                      ("gemini", "gemini-my-activity.json"), ("sharegpt", "sharegpt.jsonl"), ("alpaca", "alpaca.jsonl"),
                      ("text", "qa.txt")])
    func importCurateSplitValidate(format: String, fixture: String) throws {
        let dir = try TemporaryDirectory()
        let raw = dir.path("raw.jsonl"), clean = dir.path("clean.jsonl")
        _ = try run(["import", "--from", format, Self.fixtures.appendingPathComponent(fixture).path, "-o", raw])
        let imported = try lines(raw)
        #expect(!imported.isEmpty)
        _ = try run(["curate", raw, "-o", clean, "--report", dir.path("report.json"), "--near-duplicate-threshold", "1"])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("report.json")))) as? [String: Any]
        #expect(report?["input"] as? Int == imported.count)
        let kept = try lines(clean).count
        #expect(report?["kept"] as? Int == kept)
        // The Alpaca fixture's answers are one-word outputs, which curation drops by design.
        #expect(kept > 0 || format == "alpaca", "\(format): curation kept nothing")
        guard kept > 0 else { return }
        for layout in ["openai", "mlx", "sharegpt", "alpaca"] {
            let out = dir.path("split-\(layout)")
            let split = try run(["split", clean, "--out", out, "--format", layout, "--seed", "3"])
            #expect(split.stderr.contains("train"), "\(split.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
            #expect(files.contains("train.jsonl") && files.contains("valid.jsonl"), "\(files)")
            let total = try files.reduce(0) { $0 + (try lines(out + "/" + $1).count) }
            #expect(total == kept, "\(layout): \(total) of \(kept) lines")
            let validation = try CommandRunner.run(["data", "validate", out])
            #expect(validation.status == 0, "\(layout): \(validation.stdout) \(validation.stderr)")
            #expect((validation.stdout + validation.stderr).contains(" 0 bad"), "\(validation.stdout) \(validation.stderr)")
        }
        let stats = try run(["stats", clean, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        #expect(json?["conversations"] as? Int == kept)
    }

    @Test func importReadsStandardInput() throws {
        let dir = try TemporaryDirectory()
        let fixture = Self.fixtures.appendingPathComponent("chatgpt-conversations.json")
        let fromFile = dir.path("file.jsonl"), fromPipe = dir.path("pipe.jsonl")
        _ = try run(["import", "--from", "chatgpt", fixture.path, "-o", fromFile])
        let piped = try CommandRunner.run(["data", "import", "--from", "chatgpt", "/dev/stdin", "-o", fromPipe],
                                          input: try Data(contentsOf: fixture))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromPipe)) == Data(contentsOf: URL(fileURLWithPath: fromFile)))
    }

    @Test func validateNamesEveryBadLineAndFails() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("bad.jsonl")
        try """
        {"messages":[{"role":"user","content":"Is this fine?"},{"role":"assistant","content":"Yes, it is."}]}
        {"messages":[{"role":"user","content":"hi"}]}
        not json
        {"messages":[{"role":"user","content":"q"},{"role":"assistant","content":""}]}

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["data", "validate", path])
        #expect(result.status == 1)
        let output = result.stdout + result.stderr
        for line in [2, 3, 4] { #expect(output.contains("bad.jsonl:\(line): "), "line \(line) missing in: \(output)") }
        #expect(!output.contains("bad.jsonl:1: "))
        #expect(output.contains("4 lines, 3 bad"), "\(output)")
    }

    @Test func brokenInputsFailWithOneLine() throws {
        let dir = try TemporaryDirectory()
        let truncated = dir.path("conversations.json")
        let whole = try Data(contentsOf: Self.fixtures.appendingPathComponent("chatgpt-conversations.json"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        let notZip = dir.path("export.zip")
        try Data("PK not really a zip".utf8).write(to: URL(fileURLWithPath: notZip))
        for (arguments, expected) in [(["import", "--from", "chatgpt", truncated, "-o", dir.path("a.jsonl")], "byte"),
                                      (["import", "--from", "chatgpt", notZip, "-o", dir.path("b.jsonl")], "ZIP"),
                                      (["import", "--from", "myspace", truncated, "-o", dir.path("c.jsonl")], "myspace")] {
            let result = try CommandRunner.run(["data"] + arguments)
            #expect(result.status != 0)
            let errors = result.stderr.split(separator: "\n").filter { $0.contains("rror") }
            #expect(errors.count == 1 && errors[0].contains(expected), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: arguments[arguments.count - 1]), "no output on failure")
        }
    }
}
