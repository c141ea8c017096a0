import ArgumentParser
import Embeddings
import Foundation

/// `groupqwen embed [-m minilm-l6-v2|DIR] [--json] TEXT…`: sentence embeddings.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Print sentence embeddings (all-MiniLM-L6-v2: 384 dimensions, unit length).")

    @Option(name: .shortAndLong, help: "minilm-l6-v2 (fetched on first use) or a sentence-transformers BERT folder.")
    var model: String = "minilm-l6-v2"

    @Option(name: .long, help: "Worker threads.")
    var threads: Int = 2

    @Flag(help: "Print {\"model\":…,\"data\":[{\"index\":…,\"embedding\":[…]}],\"usage\":{…}} on stdout.")
    var json = false

    @Argument(help: "The texts to embed (one vector each).")
    var texts: [String]

    func run() async throws {
        try await reportingErrors {
            guard !texts.isEmpty else { throw ValidationError("give at least one text") }
            let url = try await resolveModel(model)
            var isDirectory: ObjCBool = false
            let directory = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
                ? url : url.deletingLastPathComponent()
            let embedder = try SentenceEmbedder(directory: directory, threads: threads)
            let start = ContinuousClock.now
            let vectors = embedder.embed(texts)
            let elapsed = ContinuousClock.now - start
            let tokens = texts.reduce(0) { $0 + embedder.tokenize($1).count }
            if json {
                try printJSON([
                    "model": model,
                    "data": vectors.enumerated().map { ["index": $0.offset, "embedding": $0.element.map(Double.init)] as [String: Any] },
                    "usage": ["prompt_tokens": tokens, "total_tokens": tokens],
                ])
            } else {
                for (text, vector) in zip(texts, vectors) {
                    let head = vector.prefix(6).map { String(format: "%.4f", $0) }.joined(separator: " ")
                    print("\(text.prefix(40).debugDescription): [\(head) …] (\(vector.count) dims)")
                }
                let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
                print(String(format: "%d texts, %d tokens in %.1f ms", texts.count, tokens, ms))
            }
        }
    }
}
