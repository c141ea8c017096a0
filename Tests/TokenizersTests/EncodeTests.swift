import Foundation
import GGUF
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
        _ = try model.tokenizer()  // fails with a fetch hint when the model is missing
        let clock = ContinuousClock()
        let t0 = clock.now
        let file = try GGUFFile(path: model.ggufPath)
        let t1 = clock.now
        let tokenizer = try Tokenizer(gguf: file)
        let t2 = clock.now
        print("tokenizer load \(model): GGUF parse \(t1 - t0), Tokenizer.init \(t2 - t1), \(tokenizer.vocabularySize) tokens")
        #expect(t2 - t1 < .seconds(2))
    }
}
