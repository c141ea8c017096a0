import Foundation
import Testing
@testable import Tokenizers

/// 400 random strings per pre-tokenizer (letters, digits, whitespace runs, CR/LF, contractions,
/// punctuation, accents, CJK, emoji, NBSP and other Unicode spaces, combining marks), tokenized by
/// Hugging Face `tokenizers` configured like the models' own tokenizer.json. HF agrees with llama.cpp
/// on all reference strings, so this widens coverage beyond the 18 llama.cpp cases.
@Suite("Differential against HF tokenizers")
struct DifferentialTests {
    @Test("random strings", arguments: [
        (ReferenceModel.qwen25, "differential-qwen2-hf"),
        (ReferenceModel.qwen25_15, "differential-qwen2-hf"),  // same tokenizer data (tokens, merges, pre) as the 0.5B
        (ReferenceModel.smolLM2, "differential-smollm-hf"),
    ])
    func randomStrings(model: ReferenceModel, fixture: String) throws {
        let tokenizer = try model.tokenizer()
        let url = ReferenceModel.fixturesURL.appendingPathComponent(fixture + ".json")
        let cases = try JSONDecoder().decode(ReferenceFile.self, from: Data(contentsOf: url)).tokenize
        var mismatches = 0
        for c in cases {
            let ids = tokenizer.encode(c.text)
            if ids != c.ids {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(model): \(c.text.debugDescription) → \(ids), expected \(c.ids)") }
            }
            #expect(tokenizer.decode(ids) == c.text)
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) differ")
    }
}
