import Foundation
import Testing
@testable import Tokenizers

@Suite("Tokenizer speed")
struct PerformanceTests {
    @Test("encodes a long chat prompt quickly", arguments: [ReferenceModel.smolLM2, .qwen25, .gemma3])
    func longPrompt(model: ReferenceModel) throws {
        let tokenizer = try model.tokenizer()
        let turn = "<|im_start|>user\nPlease review this code: func add(a: Int, b: Int) -> Int { a + b } — "
            + "and explain 你好世界 🚀 naïve café in 1234 words.<|im_end|>\n<start_of_turn>model\nSure!<end_of_turn>\n"
        let text = String(repeating: turn, count: 400)  // ~70 KB
        let clock = ContinuousClock()
        let start = clock.now
        let ids = tokenizer.encode(text, parseSpecial: true)
        let elapsed = clock.now - start
        print("encode \(model): \(text.utf8.count) bytes → \(ids.count) tokens in \(elapsed)")
        #expect(elapsed < .seconds(1))
        let decodeStart = clock.now
        _ = tokenizer.decode(ids)
        print("decode \(model): \(clock.now - decodeStart)")
    }
}
