import Testing
@testable import Tokenizers

@Suite("Special tokens")
struct SpecialTokenTests {
    @Test("parseSpecial emits <|im_start|> as one token", arguments: [ReferenceModel.smolLM2, .qwen25, .qwen25_15, .qwen3Tiny])
    func chatMLMarkers(model: ReferenceModel) throws {
        let tokenizer = try model.tokenizer()
        let start = try #require(id(of: "<|im_start|>", in: tokenizer))
        let end = try #require(id(of: "<|im_end|>", in: tokenizer))
        let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>\n", parseSpecial: true)
        #expect(ids.first == start)
        #expect(ids.filter { $0 == start }.count == 1)
        #expect(ids.filter { $0 == end }.count == 1)
        #expect(ids == [start] + tokenizer.encode("user\nHi") + [end] + tokenizer.encode("\n"))
        // Without special parsing the markers are ordinary text.
        #expect(!tokenizer.encode("<|im_start|>user").contains(start))
        // Control tokens render as nothing.
        #expect(tokenizer.isControl(start))
        #expect(tokenizer.decode(ids) == "user\nHi\n")
        #expect(tokenizer.decode(ids, special: true) == "<|im_start|>user\nHi<|im_end|>\n")
        #expect(tokenizer.eogIDs.contains(end))
    }

    @Test("Gemma start/end of turn and BOS settings")
    func gemmaMarkers() throws {
        let tokenizer = try ReferenceModel.gemma3.tokenizer()
        let start = try #require(id(of: "<start_of_turn>", in: tokenizer))
        let end = try #require(id(of: "<end_of_turn>", in: tokenizer))
        let ids = tokenizer.encode("<start_of_turn>user\nHi<end_of_turn>\n", parseSpecial: true)
        #expect(ids.first == start)
        #expect(ids.contains(end))
        #expect(tokenizer.addBOS)
        #expect(tokenizer.bosID == 2)
        #expect(tokenizer.eogIDs.contains(end))
        #expect(tokenizer.eogIDs.contains(1))
    }

    @Test("BOS/EOS metadata for byte-level models")
    func byteLevelMetadata() throws {
        let qwen = try ReferenceModel.qwen25.tokenizer()
        #expect(!qwen.addBOS)
        #expect(qwen.eosID == 151645)
        #expect(qwen.eogIDs.isSuperset(of: [151643, 151645]))
        let smol = try ReferenceModel.smolLM2.tokenizer()
        #expect(!smol.addBOS)
        #expect(smol.bosID == 1)
        #expect(smol.eogIDs.isSuperset(of: [0, 2]))
    }

    @Test("user-defined tokens are matched even without parseSpecial")
    func userDefined() throws {
        let qwen = try ReferenceModel.qwen25.tokenizer()
        let toolCall = try #require(id(of: "<tool_call>", in: qwen))
        #expect(qwen.encode("a<tool_call>b").contains(toolCall))
        #expect(qwen.decode([toolCall]) == "<tool_call>")
    }

    private func id(of text: String, in tokenizer: Tokenizer) -> Int32? {
        (0..<Int32(tokenizer.vocabularySize)).first { tokenizer.tokenText($0) == text }
    }
}
