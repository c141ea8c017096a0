import Engine
import Foundation

/// Perplexity of a model on plain text, computed as llama.cpp's `llama-perplexity` computes it, so the two can be
/// compared number for number: the text is tokenized whole (with BOS when the model adds one), cut into
/// non-overlapping chunks of `contextLength` tokens, each chunk evaluated from an empty cache with its first token
/// replaced by BOS (when the model adds one), and only the second half of each chunk scored (every scored token
/// sees at least `contextLength / 2` tokens of context). The estimate's error is the standard error of the mean
/// negative log-likelihood, carried to the perplexity (`ppl · σ / √(n − 1)`).
public struct TextPerplexity {
    /// Running and final figures.
    public struct Estimate: Sendable {
        /// Mean negative log-likelihood per scored token (nats).
        public var meanNLL: Double
        public var perplexity: Double { exp(meanNLL) }
        /// Standard error of `perplexity`.
        public var error: Double
        public var chunks: Int
        public var scoredTokens: Int
    }

    public let model: LanguageModel
    public let contextLength: Int

    public init(model: LanguageModel, contextLength: Int = 512) throws(TextPerplexityError) {
        guard contextLength >= 4, contextLength <= model.configuration.trainedContextLength else {
            throw .contextLength(contextLength, model: model.configuration.trainedContextLength)
        }
        self.model = model
        self.contextLength = contextLength
    }

    /// Reads a UTF-8 text file.
    public static func text(path: String) throws(TextPerplexityError) -> String {
        guard let data = FileManager.default.contents(atPath: (path as NSString).expandingTildeInPath) else { throw .unreadable(path) }
        guard let text = String(data: data, encoding: .utf8) else { throw .notText(path) }
        return text
    }

    /// The tokens `text` is scored on (llama.cpp's `common_tokenize(…, add_special: true)`).
    public func tokens(of text: String) -> [Int32] {
        let ids = model.tokenizer.encode(text)
        guard model.tokenizer.addBOS, let bos = model.tokenizer.bosID else { return ids }
        return [bos] + ids
    }

    /// How many whole chunks `tokenCount` tokens make (llama.cpp needs at least two).
    public func chunkCount(tokenCount: Int) -> Int { tokenCount / contextLength }

    /// Scores up to `maxChunks` chunks of `tokens` under `mix`, calling `progress` after each with the running estimate.
    public func evaluate(tokens: [Int32], mix: AdapterMix = .none, maxChunks: Int? = nil,
                         progress: (Estimate) -> Void = { _ in }) throws -> Estimate {
        let n = contextLength
        guard chunkCount(tokenCount: tokens.count) >= 2 else { throw TextPerplexityError.tooShort(tokens: tokens.count, needed: 2 * n) }
        let chunkTotal = min(chunkCount(tokenCount: tokens.count), maxChunks ?? .max)
        let first = n / 2
        let bos = model.tokenizer.addBOS ? model.tokenizer.bosID : nil
        var nll = 0.0, nll2 = 0.0, count = 0
        var estimate = Estimate(meanNLL: 0, error: 0, chunks: 0, scoredTokens: 0)
        for chunk in 0..<chunkTotal {
            let start = chunk * n
            var ids = Array(tokens[start..<start + n])
            if let bos { ids[0] = bos }
            let cache = model.makeCache(capacity: n)
            // Row t predicts token t + 1; rows from the middle on (but not the last) are scored.
            let rows = (0..<n).map { t in
                BatchRow(token: ids[t], position: t, cache: cache, wantsLogits: t >= first && t < n - 1, adapters: mix)
            }
            let logits = try model.forward(rows)
            for (index, t) in (first..<(n - 1)).enumerated() {
                let row = UnsafeBufferPointer(logits[index])
                let value = Double(Logprobs.logSumExp(row) - row[Int(tokens[start + t + 1])])
                nll += value
                nll2 += value * value
            }
            count += n - 1 - first
            estimate = Self.estimate(nll: nll, nll2: nll2, count: count, chunks: chunk + 1)
            progress(estimate)
        }
        return estimate
    }

    static func estimate(nll: Double, nll2: Double, count: Int, chunks: Int) -> Estimate {
        let mean = nll / Double(max(count, 1))
        let variance = nll2 / Double(max(count, 1)) - mean * mean
        let sigma = count > 1 && variance > 0 ? (variance / Double(count - 1)).squareRoot() : 0
        return Estimate(meanNLL: mean, error: sigma * exp(mean), chunks: chunks, scoredTokens: count)
    }
}

/// Why a perplexity cannot be computed.
public enum TextPerplexityError: Error, CustomStringConvertible {
    case unreadable(String)
    case notText(String)
    case contextLength(Int, model: Int)
    /// Fewer than two chunks (llama-perplexity's minimum).
    case tooShort(tokens: Int, needed: Int)

    public var description: String {
        switch self {
        case let .unreadable(path): "cannot read \(path)"
        case let .notText(path): "\(path) is not UTF-8 text"
        case let .contextLength(n, model): "a context of \(n) tokens is not possible: it must be 4 to \(model) (the model's context)"
        case let .tooShort(tokens, needed): "the text has \(tokens) tokens; perplexity needs at least \(needed) (two chunks)"
        }
    }
}
