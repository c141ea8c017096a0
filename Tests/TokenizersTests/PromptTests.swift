import Foundation
import Testing
@testable import Tokenizers

@Suite("Prompt tokenization")
struct PromptTests {
    @Test("greedy prompts tokenize like llama.cpp (BOS when the model asks for it)", arguments: ReferenceModel.all)
    func greedyPrompts(model: ReferenceModel) throws {
        let tokenizer = try model.tokenizer()
        let url = ReferenceModel.fixturesURL.appendingPathComponent(model.referenceName + ".json")
        let cases = try JSONDecoder().decode(GreedyReferenceFile.self, from: Data(contentsOf: url)).greedy
        #expect(!cases.isEmpty)
        for c in cases {
            var ids = tokenizer.encode(c.prompt, parseSpecial: true)
            if tokenizer.addBOS, let bos = tokenizer.bosID { ids.insert(bos, at: 0) }
            #expect(ids == c.promptIDs, "\(model): \(c.prompt.debugDescription)")
        }
    }
}
