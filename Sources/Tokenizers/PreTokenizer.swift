/// Splits text (as codepoints) into words before byte-level BPE, reproducing llama.cpp's
/// `unicode_regex_split` for the regex list of a given `tokenizer.ggml.pre`.
///
/// Each rule refines the pieces produced by the previous one, exactly as llama.cpp applies its regex
/// list: a rule never lets a word cross a boundary made by an earlier rule.
struct PreTokenizer: Sendable {
    /// One regex of llama.cpp's list, implemented by hand.
    enum Rule: Sendable, Equatable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)` (`unicode_regex_split_custom_gpt2`).
        case gpt2
        /// `(?i:'s|…)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`:
        /// llama3 uses 3 digits, qwen2 single digits.
        case llama3(maxDigits: Int)
        /// `\p{N}`: every number codepoint becomes its own piece.
        case eachNumber
        /// `\p{N}+`
        case numberRuns
        /// `[\p{P}\$\+<=>\^~\|]+`
        case punctuationRuns
        /// `[0-9][0-9][0-9]`
        case asciiDigitTriples
    }

    let rules: [Rule]
    /// llama.cpp's `ignore_merges`: a word that is itself a vocabulary entry is emitted whole.
    let ignoreMerges: Bool

    /// The pre-tokenizer llama.cpp uses for `tokenizer.ggml.pre` = `name`.
    init(name: String) throws(TokenizerError) {
        switch name {
        case "default":
            rules = [.punctuationRuns, .gpt2, .numberRuns, .asciiDigitTriples]
            ignoreMerges = false
        case "gpt2", "gpt-2", "phi-2", "mpt", "olmo", "jais", "jina-es", "jina-de", "jina-v2-es", "jina-v2-de",
             "roberta-bpe", "jina-v1-en", "jina-v2-code", "exaone4", "mellum", "trillion", "granite-docling":
            rules = [.gpt2]
            ignoreMerges = false
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b":
            rules = [.eachNumber, .gpt2]
            ignoreMerges = false
        case "qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "hunyuan", "grok-2", "kormo":
            rules = [.llama3(maxDigits: 1)]
            ignoreMerges = false
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2":
            rules = [.llama3(maxDigits: 3)]
            ignoreMerges = true
        case "dbrx", "smaug-bpe", "chatglm-bpe", "glm4":
            rules = [.llama3(maxDigits: 3)]
            ignoreMerges = false
        default:
            throw .unsupportedPreTokenizer(name)
        }
    }

    /// The words of `cpts`, as codepoint ranges covering the whole input in order.
    func split(_ cpts: [UInt32]) -> [Range<Int>] {
        guard !cpts.isEmpty else { return [] }
        var pieces: [Range<Int>] = [0..<cpts.count]
        var next: [Range<Int>] = []
        for rule in rules {
            next.removeAll(keepingCapacity: true)
            next.reserveCapacity(pieces.count * 2)
            for piece in pieces {
                var splitter = Splitter(cpts: cpts, range: piece)
                switch rule {
                case .gpt2: splitter.gpt2(into: &next)
                case let .llama3(maxDigits): splitter.llama3(maxDigits: maxDigits, into: &next)
                case .eachNumber: splitter.matches(into: &next, run: false) { Self.regexNumber($0) }
                case .numberRuns: splitter.matches(into: &next, run: true) { Self.regexNumber($0) }
                case .punctuationRuns: splitter.matches(into: &next, run: true) { Self.regexPunctuationRun($0) }
                case .asciiDigitTriples: splitter.asciiDigitTriples(into: &next)
                }
            }
            swap(&pieces, &next)
        }
        return pieces
    }

    /// `\p{N}` as llama.cpp's collapsed-text regexes see it (whitespace takes precedence).
    static func regexNumber(_ cp: UInt32) -> Bool {
        let f = CodepointFlags.of(cp)
        return f.isNumber && !f.isWhitespace
    }

    /// `[\p{P}\$\+<=>\^~\|]` as llama.cpp's collapsed-text regexes see it.
    static func regexPunctuationRun(_ cp: UInt32) -> Bool {
        if cp < 128 {
            switch UInt8(cp) {
            case 0x21...0x23, 0x25...0x2A, 0x2C...0x2F, 0x3A, 0x3B, 0x3F, 0x40, 0x5B...0x5D, 0x5F, 0x7B, 0x7D: return true
            case UInt8(ascii: "$"), UInt8(ascii: "+"), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: ">"),
                 UInt8(ascii: "^"), UInt8(ascii: "~"), UInt8(ascii: "|"): return true
            default: return false
            }
        }
        let f = CodepointFlags.of(cp)
        return f.contains(.punctuation) && !f.isWhitespace
    }
}
