import FineTuning
import Foundation
import Testing

@Suite("Strict dataset validation")
struct ValidatorTests {
    @Test func everyDefectIsReportedWithItsLine() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let good = #"{"messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!","weight":1}]}"#
        let cases: [(String, String)] = [
            (good, ""),
            (#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}]"#, "invalid JSON"),
            (#"["messages"]"#, "not a JSON object"),
            (#"{"prompt":"Hi","completion":"Hello"}"#, "unexpected key 'completion'"),
            (#"{"messages":[]}"#, "\"messages\" is empty"),
            (#"{"messages":[{"role":"bot","content":"Hi"}]}"#, "message 1: role 'bot' is not system, user, assistant or tool"),
            (#"{"messages":[{"role":"user","content":"Hi","mood":"happy"},{"role":"assistant","content":"Hello"}]}"#, "message 1 (user): unexpected key 'mood'"),
            (#"{"messages":[{"role":"user","content":["Hi"]},{"role":"assistant","content":"Hello"}]}"#, "message 1 (user): \"content\" is not a string"),
            (#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"  "}]}"#, "message 2 (assistant): empty content"),
            (#"{"messages":[{"role":"user","content":"Hi"},{"role":"system","content":"Now be rude."},{"role":"assistant","content":"Hello"}]}"#, "message 2: system message after the first position"),
            (#"{"messages":[{"role":"system","content":"Be kind."},{"role":"assistant","content":"Hello"}]}"#, "no user message"),
            (#"{"messages":[{"role":"user","content":"Hi"}]}"#, "no assistant message"),
            (#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},{"role":"user","content":"Bye"}]}"#, "does not end with an assistant message"),
            (#"{"messages":[{"role":"user","content":"Hi","weight":1},{"role":"assistant","content":"Hello"}]}"#, "message 1 (user): unexpected key 'weight'"),
            (#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello","weight":0.5}]}"#, "message 2 (assistant): \"weight\" must be 0 or 1"),
            (#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}],"tools":[]}"#, "unexpected key 'tools'"),
            (#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Call it"},{"role":"tool","content":"42","tool_call_id":"c1"},{"role":"assistant","content":"It is 42."}]}"#, "message 3 (tool): unexpected key 'tool_call_id'"),
            (#"{"messages":[{"role":"user","content":"Hi","name":"ann"},{"role":"assistant","content":"Hello"},{"role":"tool","content":""},{"role":"assistant","content":"Done."}]}"#, ""),
            ("", "empty line"),
            ("  ", "empty line"),
            (good, ""),
        ]
        let file = try scratch.write("bad.jsonl", cases.map(\.0).joined(separator: "\n") + "\n\n\n")
        let result = try DatasetValidator().validate(path: file)
        let expected = cases.enumerated().filter { !$0.element.1.isEmpty }.map { "\(file.path):\($0.offset + 1): \($0.element.1)" }
        #expect(result.problems.map(\.description) == expected)
        #expect(result.summary == "23 lines, 18 bad")   // the two trailing blank lines are fine

        let clean = try scratch.write("good.jsonl", [good, good].joined(separator: "\n") + "\n")
        #expect(try DatasetValidator().validate(path: clean).isValid)
    }

    @Test func shareGPTAndAlpacaShapesAreChecked() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let share = try scratch.write("share.jsonl", [
            #"{"conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello"}]}"#,
            #"{"conversations":[{"from":"user","value":"Hi"},{"from":"gpt","value":"Hello"}]}"#,
            #"{"conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello"},{"from":"human","value":"Bye"}]}"#,
        ].joined(separator: "\n"))
        let s = try DatasetValidator().validate(path: share)
        #expect(s.formats[share.path] == .sharegpt)
        #expect(s.problems.map(\.description) == ["\(share.path):2: turn 1: from 'user' is not system, human, gpt or tool", "\(share.path):3: does not end with a gpt turn"])
        let alpaca = try scratch.write("alpaca.jsonl", [
            #"{"instruction":"Add 2 and 2","input":"","output":"4","history":[["Hi","Hello"]]}"#,
            #"{"instruction":"Add 2 and 2","output":""}"#,
            #"{"instruction":"Add 2 and 2","output":"4","history":[["Hi"]]}"#,
        ].joined(separator: "\n"))
        let a = try DatasetValidator().validate(path: alpaca)
        #expect(a.formats[alpaca.path] == .alpaca)
        #expect(a.problems.map(\.description) == ["\(alpaca.path):2: empty \"output\"", "\(alpaca.path):3: history entry 1 is not a [instruction, output] pair of strings"])
    }

    @Test func mlxFolderNeedsTrainAndValid() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let dir = scratch.file("mlx")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        _ = try scratch.write("mlx/train.jsonl", "")
        let result = try DatasetValidator().validate(path: dir)
        #expect(result.problems.map(\.description) == ["\(dir.path)/train.jsonl: empty (train.jsonl needs at least one example)", "\(dir.path)/valid.jsonl: missing (an MLX-LM folder needs train.jsonl and valid.jsonl)"])
    }
}
