import ArgumentParser
import Engine
import Foundation
import Training

/// `groupqwen perplexity`: perplexity of a model (with adapters) on a text file, as llama.cpp's `llama-perplexity`.
struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity", abstract: "Perplexity of a model (and its adapters) on a text file, as llama-perplexity computes it.",
        discussion: """
            The text is cut into non-overlapping chunks of --ctx tokens; each chunk starts from an empty context and only \
            its second half is scored. The result is comparable with `llama-perplexity -f FILE -c CTX` on the same model.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var loraOptions: LoRAOptions
    @Argument(help: "A UTF-8 text file.") var file: String
    @Option(help: "Tokens per chunk.") var ctx = 512
    @Option(help: "Score at most this many chunks (default: all).") var chunks: Int?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard ctx >= 16 else { throw ValidationError("--ctx must be at least 16") }
        if let chunks, chunks < 1 { throw ValidationError("--chunks must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let text = try TextPerplexity.text(path: file)
            // Rows go through the model in batches of at most 512; the context is checked before any cache is made.
            let model = try await modelOptions.load(batchCapacity: min(ctx, 512))
            let evaluator = try TextPerplexity(model: model, contextLength: ctx)
            let mix = AdapterMix(try loraOptions.load(for: model))
            let tokens = evaluator.tokens(of: text)
            let available = evaluator.chunkCount(tokenCount: tokens.count)
            guard available >= 2 else { throw TextPerplexityError.tooShort(tokens: tokens.count, needed: 2 * ctx) }
            let total = min(available, chunks ?? available)
            printNote("perplexity: \(tokens.count) tokens, \(total) chunks of \(ctx), \(mix.isEmpty ? "base model" : mix.description)")
            let display = PerplexityProgress(total: total)
            let result = try evaluator.evaluate(tokens: tokens, mix: mix, maxChunks: total) { display.update($0) }
            display.finish()
            if json {
                try printJSON(["perplexity": result.perplexity, "error": result.error, "mean_nll": result.meanNLL,
                               "chunks": result.chunks, "scored_tokens": result.scoredTokens, "ctx": ctx, "tokens": tokens.count,
                               "seconds": display.elapsed])
            } else {
                print(String(format: "Final estimate: PPL = %.4f +/- %.5f  (%d chunks of %d, %d scored tokens, %.1f s)",
                             result.perplexity, result.error, result.chunks, ctx, result.scoredTokens, display.elapsed))
            }
        }
    }
}

/// The running estimate on stderr: a redrawn line on a terminal, a line per chunk otherwise.
final class PerplexityProgress {
    private let total: Int
    private let isTTY = isatty(STDERR_FILENO) == 1
    private let start = Date()

    init(total: Int) { self.total = total }

    var elapsed: Double { Date().timeIntervalSince(start) }

    func update(_ e: TextPerplexity.Estimate) {
        let perChunk = elapsed / Double(e.chunks)
        let filled = e.chunks * 20 / total
        let line = String(format: "perplexity [%@%@] %d/%d chunks · PPL %.4f · %.1f s/chunk · ETA %.0f s",
                          String(repeating: "#", count: filled), String(repeating: "-", count: 20 - filled),
                          e.chunks, total, e.perplexity, perChunk, perChunk * Double(total - e.chunks))
        FileHandle.standardError.write(Data((isTTY ? "\r" + line : line + "\n").utf8))
    }

    func finish() {
        if isTTY { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
