import Foundation
@testable import RoutingEvaluation
import Testing

/// The shipped graded set (`Benchmarks/RoutingBench/routing-set.jsonl`).
enum ShippedSet {
    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/RoutingBench/routing-set.jsonl").path
    }
}

@Suite("Graders")
struct GraderTests {
    @Test("every reference answer of the shipped set grades correct, and grades wrong with a template token added")
    func referencesPass() async throws {
        let prompts = try GradedPromptSet.load(path: ShippedSet.path)
        #expect(prompts.count >= 300)
        let categories = Set(prompts.map(\.category))
        #expect(categories.isSuperset(of: ["chit_chat", "facts", "arithmetic", "reasoning", "extraction", "instruction", "code", "multilingual"]))
        let sandbox = PythonSandbox()
        var failures: [String] = []
        for prompt in prompts {
            let reference = try #require(prompt.reference, "\(prompt.id) has no reference")
            if await !prompt.grader.grade(reference, sandbox: sandbox) { failures.append(prompt.id) }
            if await prompt.grader.grade(reference + "<|im_end|>", sandbox: sandbox) { failures.append(prompt.id + " (template token)") }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("wrong answers grade wrong")
    func wrongAnswers() async {
        let sandbox = PythonSandbox(timeoutSeconds: 3)
        #expect(Grader.number(value: 391, tolerance: 1e-6).gradeText("17 × 23 = 391"))
        #expect(!Grader.number(value: 391, tolerance: 1e-6).gradeText("391 is close; I get 392"))
        #expect(Grader.number(value: 1234.5, tolerance: 1e-6).gradeText("It costs $1,234.50."))
        #expect(Grader.option(answer: "B").gradeText("The answer is B) Paris"))
        #expect(!Grader.option(answer: "B").gradeText("A. Because Paris is in France"))
        #expect(Grader.json(keys: ["name": .string("Ann"), "age": .number(31), "city": .any])
            .gradeText("```json\n{\"name\": \" ann \", \"age\": 31, \"city\": \"Oslo\"}\n```"))
        #expect(!Grader.json(keys: ["name": .string("Ann"), "age": .number(31)]).gradeText("{\"name\": \"Ann\"}"))
        #expect(!Grader.json(keys: ["name": .any]).gradeText("name: Ann"))
        #expect(Grader.regex(pattern: "YES", caseInsensitive: false, full: true).gradeText("  YES\n"))
        #expect(!Grader.regex(pattern: "YES", caseInsensitive: false, full: true).gradeText("YES, of course"))
        #expect(!Grader.reply(any: []).gradeText("   "))
        #expect(!Grader.contains(any: ["Canberra"], all: [], none: ["Sydney"]).gradeText("Sydney, not Canberra"))
        let tests = "assert add(2, 3) == 5\nassert add(-1, 1) == 0"
        #expect(await Grader.python(entryPoint: "add", tests: tests).grade("```python\ndef add(a, b):\n    return a + b\n```", sandbox: sandbox))
        #expect(await !Grader.python(entryPoint: "add", tests: tests).grade("```python\ndef add(a, b):\n    return a - b\n```", sandbox: sandbox))
        // A hung answer is killed (by the wall-clock deadline or the CPU limit) and graded wrong.
        #expect(await !Grader.python(entryPoint: "add", tests: tests).grade("while True: pass", sandbox: sandbox))
    }

    @Test("a bad line of a set is an error naming file, line and field")
    func badSet() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-set-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try #"""
        {"id": "a", "category": "facts", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8, "grader": {"type": "reply"}}
        {"id": "b", "category": "facts", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8, "grader": {"type": "sorcery"}}
        """#.write(to: url, atomically: true, encoding: .utf8)
        #expect { try GradedPromptSet.load(path: url.path) } throws: { error in
            "\(error)".contains(":2:") && "\(error)".contains("sorcery")
        }
    }
}
