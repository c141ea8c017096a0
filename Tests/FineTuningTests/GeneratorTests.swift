import FineTuning
import Foundation
import Testing

@Suite("Synthetic generator")
struct GeneratorTests {
    static func spec() throws -> GeneratorSpec {
        try GeneratorSpec(yaml: String(contentsOf: DatasetScratch.fixtures.appendingPathComponent("generate-spec.yaml"), encoding: .utf8))
    }

    @Test func exampleSpecYieldsOverAHundredDiverseValidExamples() throws {
        let spec = try Self.spec()
        #expect(spec.count == 120)
        #expect(spec.categories.map(\.name) == ["context_preservation", "custom_definitions", "procedural_knowledge", "rule_compliance"])
        let result = try SyntheticGenerator(spec: spec).generate()
        #expect(result.conversations.count == 120)
        #expect(Set(result.perCategory.keys) == Set(spec.categories.map(\.name)))
        #expect(result.perCategory.values.reduce(0, +) == 120)
        // Same seed, same examples; another seed, others.
        #expect(try SyntheticGenerator(spec: spec).generate().conversations == result.conversations)
        #expect(try SyntheticGenerator(spec: spec).generate(seed: 8).conversations != result.conversations)
        // Slots are filled and no example near-duplicates another.
        #expect(!result.conversations.contains { $0.turns.contains { $0.text.contains("{") } })
        var index = NearDuplicateIndex(threshold: 0.9)
        for c in result.conversations { #expect(index.insertUnlessDuplicate(MinHash().signature(of: c)) == nil) }
        let scratch = try DatasetScratch()
        defer { scratch.remove() }
        try OpenAIChatJSONL.write(result.conversations, to: scratch.file("gen.jsonl"))
        #expect(try DatasetValidator().validate(path: scratch.file("gen.jsonl")).isValid)
        #expect(try SyntheticGenerator(spec: spec).generate(count: 300).conversations.count == 300)
    }

    @Test func nearIdenticalExamplesAreRejected() throws {
        let yaml = """
        categories:
          capitals:
            slots:
              city: [Paris, paris, PARIS, "Paris!", Rome]
            templates:
              - turns:
                  - user: What is special about {city}?
                  - assistant: "{city} is a capital city with many museums, old bridges and a famous river."
        """
        let spec = try GeneratorSpec(yaml: yaml)
        let two = try SyntheticGenerator(spec: spec).generate(count: 2)
        #expect(Set(two.conversations.map { $0.turns[0].text.lowercased().hasPrefix("what is special about rome") }) == [true, false])
        #expect {
            try SyntheticGenerator(spec: spec).generate(count: 3)
        } throws: { error in
            guard case let DatasetError.notEnoughExamples(requested, produced, rejected) = error else { return false }
            return requested == 3 && produced == 2 && rejected > 0
        }
        #expect(throws: DatasetError.notEnoughExamples(requested: 6, produced: 5, rejected: 0)) { try SyntheticGenerator(spec: spec).generate(count: 6) }
    }

    @Test func specErrorsNameTheKey() {
        func key(_ yaml: String) -> String? {
            do { _ = try GeneratorSpec(yaml: yaml); return nil } catch {
                if case let .invalidSpec(key, _) = error { return key }
                return "other"
            }
        }
        #expect(key("count: 3") == "categories")
        #expect(key("categories: {}\n") == "categories")
        #expect(key("categorys:\n  a: {}\n") == "categorys")
        #expect(key("categories:\n  a:\n    slots: {x: [1]}\n") == "categories.a.templates")
        #expect(key("categories:\n  a:\n    templates:\n      - turns:\n          - user: Hi {who}\n          - assistant: Hello\n") == "categories.a.templates[0].turns[0].user")
        #expect(key("categories:\n  a:\n    templates:\n      - turns:\n          - assistant: Hello\n") == "categories.a.templates[0].turns[0]")
        #expect(key("categories:\n  a:\n    templates:\n      - turns:\n          - user: Hi\n") == "categories.a.templates[0].turns")
        #expect(key("categories:\n  a:\n    slots: {x: []}\n    templates: []\n") == "categories.a.slots.x")
        #expect(key("count: -2\ncategories:\n  a: {}\n") == "count")
        #expect(key("categories:\n  a:\n    weight: 1\n    templates:\n      - turns:\n          - user: Hi\n          - assistant: Hello\n") == nil)
        #expect("\(DatasetError.invalidSpec(key: "categories.a.templates", reason: "missing"))" == "spec key 'categories.a.templates': missing")
    }
}

extension GeneratorTests {
    @Test func recordSlotsKeepTheirFieldsTogether() throws {
        let yaml = """
        categories:
          defs:
            slots:
              term:
                - {name: a cold tier, meaning: storage for data nobody read in ninety days}
                - {name: a freeze day, meaning: a day when only emergency changes ship}
                - {name: an error budget, meaning: the failure a service may have in a month}
            templates:
              - turns:
                  - user: What is {term.name}?
                  - assistant: "{term.name} is {term.meaning}."
        """
        let result = try SyntheticGenerator(spec: GeneratorSpec(yaml: yaml)).generate(count: 3)
        let answers = Set(result.conversations.map { $0.turns[1].text })
        #expect(answers == ["a cold tier is storage for data nobody read in ninety days.", "a freeze day is a day when only emergency changes ship.", "an error budget is the failure a service may have in a month."])
        let missingField = yaml.replacingOccurrences(of: "{term.meaning}.", with: "{term.origin}.")
        #expect(throws: DatasetError.invalidSpec(key: "categories.defs.templates[0].turns[1].assistant", reason: "{term.origin}: value 1 of slot 'term' has no field 'origin'")) {
            try GeneratorSpec(yaml: missingField)
        }
        let plainUse = yaml.replacingOccurrences(of: "What is {term.name}?", with: "What is {term}?")
        #expect(throws: DatasetError.self) { try GeneratorSpec(yaml: plainUse) }
    }
}
