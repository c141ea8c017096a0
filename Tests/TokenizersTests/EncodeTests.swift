import Foundation
import Testing
@testable import Tokenizers

@Suite("Tokenization matches llama.cpp")
struct EncodeTests {
    @Test("encode matches llama.cpp token ids", arguments: ReferenceModel.all)
    func encodeMatchesReference(model: ReferenceModel) throws {
        let tokenizer = try model.tokenizer()
        let reference = try model.reference()
        #expect(reference.tokenize.count == 18)
        for c in reference.tokenize {
            let ids = tokenizer.encode(c.text)
            #expect(ids == c.ids, "\(model): \(c.text.debugDescription)")
        }
    }

    @Test("decode(encode(text)) round-trips", arguments: ReferenceModel.all)
    func decodeRoundTrips(model: ReferenceModel) throws {
        let tokenizer = try model.tokenizer()
        for c in try model.reference().tokenize {
            #expect(tokenizer.decode(c.ids) == c.text, "\(model): \(c.text.debugDescription)")
        }
    }

    @Test("tokenizer loads quickly", arguments: ReferenceModel.all)
    func loadTime(model: ReferenceModel) throws {
        let start = ContinuousClock.now
        let tokenizer = try model.tokenizer()
        let elapsed = ContinuousClock.now - start
        print("tokenizer load \(model): \(elapsed) for \(tokenizer.vocabularySize) tokens")
        #expect(elapsed < .seconds(2))
    }
}
