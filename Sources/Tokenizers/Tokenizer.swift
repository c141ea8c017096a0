import GGUF

/// A text ↔ token-id converter built from a GGUF file's `tokenizer.ggml.*` metadata, reproducing
/// llama.cpp's tokenization exactly for byte-level BPE (`gpt2`) and SentencePiece BPE (`llama`)
/// vocabularies.
public final class Tokenizer: Sendable {
    enum Model: Sendable {
        case bytePair(BytePairModel, PreTokenizer)
        case sentencePiece(SentencePieceModel)
    }

    let model: Model
    let texts: [String]
    let kinds: [TokenKind]
    let special: SpecialTokenMatcher
    /// SentencePiece only: prefix raw text with a space (`tokenizer.ggml.add_space_prefix`).
    let addSpacePrefix: Bool

    /// Beginning-of-sequence token, if the vocabulary has one.
    public let bosID: Int32?
    /// End-of-sequence token, if the vocabulary has one.
    public let eosID: Int32?
    /// Whether prompts should start with `bosID` (`tokenizer.ggml.add_bos_token`; when absent, true for
    /// SentencePiece vocabularies and llama3-style BPE, false for other BPE ones).
    public let addBOS: Bool
    /// Tokens that end generation: EOS plus end-of-turn style tokens, as llama.cpp's `special_eog_ids`.
    public let eogIDs: Set<Int32>

    /// Number of vocabulary entries.
    public var vocabularySize: Int { texts.count }

    /// Builds the tokenizer described by `gguf`'s metadata.
    public init(gguf: GGUFFile) throws(TokenizerError) {
        guard let modelName = gguf.string("tokenizer.ggml.model") else { throw .missingKey("tokenizer.ggml.model") }
        let tokens: [String]
        do {
            guard let t = try gguf.strings("tokenizer.ggml.tokens") else { throw TokenizerError.missingKey("tokenizer.ggml.tokens") }
            tokens = t
        } catch let e as TokenizerError {
            throw e
        } catch {
            throw .invalidMetadata(key: "tokenizer.ggml.tokens", reason: "\(error)")
        }
        guard !tokens.isEmpty else { throw .invalidMetadata(key: "tokenizer.ggml.tokens", reason: "empty vocabulary") }
        let count = tokens.count
        let rawTypes: [Int]? = try? gguf.ints("tokenizer.ggml.token_type")
        if let rawTypes, rawTypes.count != count {
            throw .invalidMetadata(key: "tokenizer.ggml.token_type", reason: "\(rawTypes.count) entries for \(count) tokens")
        }
        var kinds = rawTypes.map { $0.map(TokenKind.init(ggufValue:)) } ?? [TokenKind](repeating: .normal, count: count)

        func tokenID(_ key: String) -> Int32? {
            guard let v = gguf.int(key), v >= 0, v < count else { return nil }
            return Int32(v)
        }

        let preName = gguf.string("tokenizer.ggml.pre") ?? "default"
        let defaultBOS: Int32?
        let defaultEOS: Int32?
        let defaultAddBOS: Bool
        switch modelName {
        case "gpt2":
            let pre = try PreTokenizer(name: preName)
            let merges: [String]
            do {
                guard let m = try gguf.strings("tokenizer.ggml.merges") else { throw TokenizerError.missingKey("tokenizer.ggml.merges") }
                merges = m
            } catch let e as TokenizerError {
                throw e
            } catch {
                throw .invalidMetadata(key: "tokenizer.ggml.merges", reason: "\(error)")
            }
            model = .bytePair(BytePairModel(tokens: tokens, merges: merges, ignoreMerges: pre.ignoreMerges), pre)
            addSpacePrefix = false
            defaultBOS = nil
            defaultEOS = nil
            defaultAddBOS = pre.ignoreMerges  // the llama3 family
        case "llama":
            let scores: [Float]
            do {
                scores = try gguf.floats("tokenizer.ggml.scores") ?? [Float](repeating: 0, count: count)
            } catch {
                throw .invalidMetadata(key: "tokenizer.ggml.scores", reason: "\(error)")
            }
            guard scores.count == count else {
                throw .invalidMetadata(key: "tokenizer.ggml.scores", reason: "\(scores.count) entries for \(count) tokens")
            }
            model = .sentencePiece(SentencePieceModel(tokens: tokens, scores: scores, unknownID: tokenID("tokenizer.ggml.unknown_token_id") ?? 0))
            addSpacePrefix = gguf.bool("tokenizer.ggml.add_space_prefix") ?? true
            defaultBOS = count > 1 ? 1 : nil
            defaultEOS = count > 2 ? 2 : nil
            defaultAddBOS = true
        default:
            throw .unsupportedModel(modelName)
        }

        bosID = tokenID("tokenizer.ggml.bos_token_id") ?? defaultBOS
        eosID = tokenID("tokenizer.ggml.eos_token_id") ?? defaultEOS
        addBOS = gguf.bool("tokenizer.ggml.add_bos_token") ?? defaultAddBOS

        // llama.cpp recognises end-of-turn and fill-in-the-middle tokens by their text, forces them to
        // control type, and stops generation on the EOG ones.
        var eog = Set<Int32>()
        for (i, text) in tokens.enumerated() {
            guard let first = text.utf8.first, SpecialTokenTexts.firstBytes.contains(first) else { continue }
            if SpecialTokenTexts.endOfGeneration.contains(text) {
                eog.insert(Int32(i))
                kinds[i] = .control
            } else if SpecialTokenTexts.fimEndOfGeneration.contains(text) {
                eog.insert(Int32(i))
                kinds[i] = .control
            } else if SpecialTokenTexts.controlLooking.contains(text) {
                kinds[i] = .control
            }
        }
        for key in ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"] {
            if let id = tokenID(key) { eog.insert(id) }
        }
        if let eosID { eog.insert(eosID) }
        eogIDs = eog

        self.texts = tokens
        self.kinds = kinds
        special = SpecialTokenMatcher(tokens: tokens, kinds: kinds)
    }

    /// The raw vocabulary entry of `id` (empty for an out-of-range id).
    public func tokenText(_ id: Int32) -> String {
        guard id >= 0, Int(id) < texts.count else { return "" }
        return texts[Int(id)]
    }

    /// Whether `id` is a control token (rendered as nothing when decoding).
    public func isControl(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < kinds.count else { return false }
        return kinds[Int(id)] == .control
    }

    /// Token ids for `text`, without BOS/EOS. User-defined tokens' text is always matched as those tokens;
    /// with `parseSpecial`, control tokens' text (e.g. `<|im_start|>`) is too.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int32] {
        let bytes = Array(text.utf8)
        var out: [Int32] = []
        out.reserveCapacity(bytes.count / 3 + 4)
        var previousWasSpecial = true
        for fragment in special.partition(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case let .token(id):
                out.append(id)
                previousWasSpecial = true
            case let .text(range):
                switch model {
                case let .bytePair(bpe, pre):
                    encodeBytePair(bytes[range], bpe: bpe, pre: pre, into: &out)
                case let .sentencePiece(spm):
                    var escaped: [UInt8] = []
                    escaped.reserveCapacity(range.count + 4)
                    if addSpacePrefix && previousWasSpecial { escaped += [0xE2, 0x96, 0x81] }
                    for b in bytes[range] {
                        if b == 0x20 { escaped += [0xE2, 0x96, 0x81] } else { escaped.append(b) }
                    }
                    spm.encode(escaped, into: &out)
                }
                previousWasSpecial = false
            }
        }
        return out
    }

    private func encodeBytePair(_ bytes: ArraySlice<UInt8>, bpe: BytePairModel, pre: PreTokenizer, into out: inout [Int32]) {
        // Codepoints plus the byte offset where each starts (one extra entry for the end).
        var cpts: [UInt32] = []
        var offsets: [Int] = []
        cpts.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var p = bytes.startIndex
        while p < bytes.endIndex {
            offsets.append(p)
            let b0 = UInt32(bytes[p])
            let len = min(SentencePieceModel.utf8Length(bytes[p]), bytes.endIndex - p)
            var cp: UInt32
            switch len {
            case 2: cp = (b0 & 0x1F) << 6 | UInt32(bytes[p + 1] & 0x3F)
            case 3: cp = (b0 & 0x0F) << 12 | UInt32(bytes[p + 1] & 0x3F) << 6 | UInt32(bytes[p + 2] & 0x3F)
            case 4: cp = (b0 & 0x07) << 18 | UInt32(bytes[p + 1] & 0x3F) << 12 | UInt32(bytes[p + 2] & 0x3F) << 6 | UInt32(bytes[p + 3] & 0x3F)
            default: cp = b0
            }
            cpts.append(cp)
            p += len
        }
        offsets.append(bytes.endIndex)
        for word in pre.split(cpts) {
            bpe.encode(word: bytes[offsets[word.lowerBound]..<offsets[word.upperBound]], into: &out)
        }
    }
}
