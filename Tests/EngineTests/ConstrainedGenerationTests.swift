import Engine
import Foundation
import Testing

/// Constrained decoding on a real model: whatever the model would say, the output parses and fits the schema.
@Suite(.serialized)
struct ConstrainedGenerationTests {
    let model: LanguageModel
    let generator: Generator
    let vocabulary: TokenVocabulary

    init() throws {
        model = try ModelLoader.load(path: try TestModel.smollm2.path(), options: ModelLoadOptions(threads: 2))
        generator = Generator(model: model)
        vocabulary = TokenVocabulary(tokenizer: model.tokenizer)
    }

    func generate(_ prompt: String, schema: String, temperature: Float = 0, seed: UInt64 = 1, maxTokens: Int = 120) throws -> GenerationResult {
        var options = GenerationOptions()
        if temperature > 0 {
            options.sampling.temperature = temperature
            options.sampling.seed = seed
        } else {
            options.sampling = .greedy
        }
        options.maxTokens = maxTokens
        options.constraint = OutputConstraint(grammar: try JSONSchemaGrammar(schemaJSON: schema), vocabulary: vocabulary)
        return try generator.generate(promptIDs: generator.promptIDs(for: prompt), options: options)
    }

    @Test func prosePromptStillYieldsTheSchema() throws {
        // Unconstrained, this prompt gets prose; constrained, the same model must produce the object.
        let schema = #"{"type":"object","properties":{"city":{"type":"string","maxLength":20},"population":{"type":"integer","minimum":0},"capital":{"type":"boolean"}},"required":["city","population","capital"],"additionalProperties":false}"#
        let prompt = "Tell me about Paris."
        var free = GenerationOptions()
        free.sampling = .greedy
        free.maxTokens = 40
        let unconstrained = try generator.generate(promptIDs: generator.promptIDs(for: prompt), options: free)
        #expect((try? JSONSerialization.jsonObject(with: Data(unconstrained.text.utf8))) == nil)
        for temperature: Float in [0, 0.8, 1.5] {
            let result = try generate(prompt, schema: schema, temperature: temperature)
            #expect(result.finishReason == .stop, "\(result.text)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any], "\(result.text)")
            #expect(Set(object.keys) == ["city", "population", "capital"])
            #expect((object["city"] as? String).map { $0.count <= 20 } == true)
            #expect((object["population"] as? NSNumber).map { $0.doubleValue >= 0 && $0.doubleValue == $0.doubleValue.rounded() } == true)
        }
    }

    @Test func arraysOfEnumsAndNesting() throws {
        let schema = #"{"type":"object","properties":{"steps":{"type":"array","minItems":2,"maxItems":3,"items":{"type":"object","properties":{"kind":{"enum":["add","remove"]},"n":{"type":"number","minimum":-5,"maximum":5}},"required":["kind","n"],"additionalProperties":false}}},"required":["steps"],"additionalProperties":false}"#
        for seed: UInt64 in 1...3 {
            // At temperature 1 this small model indents generously: room for three pretty-printed steps.
            let result = try generate("List some steps.", schema: schema, temperature: 1.0, seed: seed, maxTokens: 400)
            #expect(result.finishReason == .stop, "\(result.text.debugDescription)")
            let object = try #require(try? JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any], "\(result.text)")
            let steps = try #require(object["steps"] as? [[String: Any]])
            #expect((2...3).contains(steps.count))
            for step in steps {
                #expect(["add", "remove"].contains(step["kind"] as? String ?? ""))
                #expect((step["n"] as? NSNumber).map { (-5...5).contains($0.doubleValue) } == true)
            }
        }
    }
}
