import Testing
@testable import Tokenizers

@Suite("Streaming detokenizer")
struct StreamingDetokenizerTests {
    @Test("never emits half a character", arguments: ReferenceModel.all)
    func noReplacementCharacters(model: ReferenceModel) throws {
        let tokenizer = try model.tokenizer()
        let texts = ["emoji 🚀🔥 test 👍🏽", "你好，世界！今天天气很好。", "こんにちは、カタカナとひらがな", "مرحبا بالعالم",
                     "Ça va? Größe, naïve café, Ελληνικά, русский текст"]
        for text in texts {
            let ids = tokenizer.encode(text)
            var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
            var joined = ""
            for id in ids {
                let piece = detokenizer.append(id)
                #expect(!piece.unicodeScalars.contains("\u{FFFD}"), "\(model): token \(id) of \(text.debugDescription)")
                joined += piece
            }
            joined += detokenizer.flush()
            #expect(joined == tokenizer.decode(ids))
            #expect(joined == text)
        }
    }

    @Test("holds back an incomplete sequence until flushed")
    func partialSequence() {
        #expect(StreamingDetokenizer.completePrefixLength([0x61, 0xF0, 0x9F]) == 1)
        #expect(StreamingDetokenizer.completePrefixLength([0x61, 0xF0, 0x9F, 0x9A, 0x80]) == 5)
        #expect(StreamingDetokenizer.completePrefixLength([0xE4, 0xBD]) == 0)
        #expect(StreamingDetokenizer.completePrefixLength([0x61]) == 1)
        #expect(StreamingDetokenizer.completePrefixLength([]) == 0)
    }
}
