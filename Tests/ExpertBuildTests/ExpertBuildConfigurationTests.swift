import ExpertBuild
import FineTuning
import Foundation
import Testing

@Suite struct ExpertBuildConfigurationTests {
    let directory = URL(fileURLWithPath: "/tmp/experts-config")

    @Test func readsTheShippedExample() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/examples/experts/experts.yaml")
        let c = try ExpertBuildConfiguration.load(path: url.path)
        #expect(c.baseModel == "smollm2-135m")
        #expect(c.experts.map(\.id) == ["sql", "support", "lore"])
        #expect(c.experts.allSatisfy { $0.spec.map { FileManager.default.fileExists(atPath: $0) } == true })
        #expect(try c.trainingConfiguration(for: c.experts[0]).epochs == 10)
    }

    @Test func refusesUnknownKeysWithTheirLine() {
        let yaml = "base_model: m\nexperts:\n  - id: a\n    spec: a.yaml\n    colour: red\n"
        #expect { try ExpertBuildConfiguration.parse(yaml: yaml, directory: directory) } throws: { error in
            "\(error)".contains("experts[0].colour") && "\(error)".contains("line 5")
        }
    }

    @Test func refusesBadTrainingSettingsAndDuplicateIDs() {
        let bad = "base_model: m\ntraining: {epochs: many}\nexperts:\n  - {id: a, spec: a.yaml}\n"
        #expect(throws: ExpertBuildError.self) { try ExpertBuildConfiguration.parse(yaml: bad, directory: directory) }
        let twice = "base_model: m\nexperts:\n  - {id: a, spec: a.yaml}\n  - {id: a, data: b.jsonl}\n"
        #expect { try ExpertBuildConfiguration.parse(yaml: twice, directory: directory) } throws: { "\($0)".contains("used twice") }
        let both = "base_model: m\nexperts:\n  - {id: a, spec: a.yaml, data: a.jsonl}\n"
        #expect { try ExpertBuildConfiguration.parse(yaml: both, directory: directory) } throws: { "\($0)".contains("exactly one") }
    }

    @Test func heldOutQuestionsComeFromTheSpecsParaphrases() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/examples/experts/lore-spec.yaml")
        let c = try ExpertBuildConfiguration.parse(yaml: "base_model: m\nexperts:\n  - {id: lore, spec: \(url.path)}\n", directory: directory)
        #expect(c.experts[0].heldOut == nil)
        let questions = HeldOutQuestion.fromSpec(try GeneratorSpec(yaml: try String(contentsOf: url, encoding: .utf8)))
        #expect(questions.count == 24 && questions.allSatisfy { !$0.prompt.isEmpty && !$0.expected.isEmpty })
        let q = HeldOutQuestion(prompt: "x", expected: "Varrowick")
        #expect(q.isAnswered(by: "The capital is  varrowick."))
        #expect(!q.isAnswered(by: "The capital is Ostmere."))
    }
}
