import FineTuning
import Foundation
import Testing

@Suite("Seeded split and output formats")
struct DatasetSplitTests {
    static func conversations(_ n: Int) -> [Conversation] {
        (0..<n).map { i in
            Conversation(id: "c\(i)", source: "test", turns: [
                .init(role: .user, text: "Question number \(i): what is \(i) squared?"),
                .init(role: .assistant, text: "\(i) squared is \(i * i)."),
            ])
        }
    }

    static func write(_ conversations: [Conversation], to url: URL) throws {
        try OpenAIChatJSONL.write(conversations, to: url)
    }

    @Test func ratiosAreExactAndTheSplitIsDeterministicAndOrderIndependent() throws {
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        let all = Self.conversations(1000)
        try Self.write(all, to: scratch.file("in.jsonl"))
        try Self.write(all.reversed(), to: scratch.file("reversed.jsonl"))
        let splitter = DatasetSplitter(seed: 42)
        let a = try splitter.split(input: scratch.file("in.jsonl"), into: scratch.file("a"))
        let again = try splitter.split(input: scratch.file("in.jsonl"), into: scratch.file("b"))
        #expect(again.train == a.train && again.valid == a.valid && again.test == a.test)
        let reversed = try splitter.split(input: scratch.file("reversed.jsonl"), into: scratch.file("r"))
        #expect(reversed.train == 800 && reversed.valid == 100 && reversed.test == 100)
        #expect(a.train == 800 && a.valid == 100 && a.test == 100)
        for name in ["train", "valid", "test"] {
            #expect(try scratch.lines("a/\(name).jsonl") == scratch.lines("b/\(name).jsonl"))
            #expect(try Set(scratch.lines("a/\(name).jsonl")) == Set(scratch.lines("r/\(name).jsonl")))
        }
        let other = try DatasetSplitter(seed: 43).split(input: scratch.file("in.jsonl"), into: scratch.file("c"))
        #expect(other.test == 100)
        #expect(try Set(scratch.lines("c/test.jsonl")) != Set(scratch.lines("a/test.jsonl")))

        let twoWay = try DatasetSplitter(ratios: .init(parsing: "80/20"), seed: 42).split(input: scratch.file("in.jsonl"), into: scratch.file("d"))
        #expect(twoWay.train == 800 && twoWay.valid == 200 && twoWay.test == 0)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("d/test.jsonl").path))
        #expect(throws: DatasetError.self) { try DatasetSplitter.Ratios(parsing: "70/20") }
        #expect(throws: DatasetError.self) { try DatasetSplitter.Ratios(parsing: "eighty/20") }
    }

    @Test func formatsWriteTheirShapes() throws {
        let c = Conversation(id: "x", source: "test", turns: [
            .init(role: .system, text: "Be brief."),
            .init(role: .user, text: "Hi"), .init(role: .assistant, text: "Hello!"),
            .init(role: .user, text: "2+2?"), .init(role: .assistant, text: "4"),
        ])
        #expect(DatasetFormat.openai.line(for: c) == #"{"messages":[{"content":"Be brief.","role":"system"},{"content":"Hi","role":"user"},{"content":"Hello!","role":"assistant"},{"content":"2+2?","role":"user"},{"content":"4","role":"assistant"}]}"#)
        #expect(DatasetFormat.mlx.line(for: c) == DatasetFormat.openai.line(for: c))
        #expect(DatasetFormat.sharegpt.line(for: c) == #"{"conversations":[{"from":"system","value":"Be brief."},{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello!"},{"from":"human","value":"2+2?"},{"from":"gpt","value":"4"}]}"#)
        #expect(DatasetFormat.alpaca.line(for: c) == #"{"instruction":"2+2?","input":"","output":"4","system":"Be brief.","history":[["Hi","Hello!"]]}"#)
        #expect(DatasetFormat.alpaca.line(for: Conversation(id: "y", source: "t", turns: [.init(role: .assistant, text: "alone")])) == nil)
        let escaped = Conversation(id: "z", source: "t", turns: [.init(role: .user, text: "a \"q\"\n\tb\\ \u{1}")])
        let parsed = try JSONSerialization.jsonObject(with: Data(escaped.openAIJSONLine().utf8)) as? [String: Any]
        #expect(((parsed?["messages"] as? [[String: String]])?.first?["content"]) == "a \"q\"\n\tb\\ \u{1}")

        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        try Self.write(Self.conversations(50), to: scratch.file("in.jsonl"))
        for format in [DatasetFormat.sharegpt, .alpaca] {
            let summary = try DatasetSplitter(seed: 1, format: format).split(input: scratch.file("in.jsonl"), into: scratch.file(format.rawValue))
            #expect(summary.train == 40 && summary.valid == 5 && summary.test == 5)
            let result = try DatasetValidator().validate(path: scratch.file("\(format.rawValue)/train.jsonl"))
            #expect(result.isValid && result.lines == 40, "\(result.problems)")
            #expect(result.formats.values.first == format)
        }
    }
}
