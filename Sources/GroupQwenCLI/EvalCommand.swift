import ArgumentParser
import Engine
import Foundation
import Training

/// `groupqwen eval`: loss and perplexity on a chat dataset, base model and fine-tune side by side.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Loss and perplexity of a model (and its adapters) on a chat dataset.",
        discussion: "The loss covers the assistant tokens only (the training masks). With --lora the base model is measured too, on the same examples.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var loraOptions: LoRAOptions
    @Argument(help: "A chat .jsonl file (OpenAI format, as `data split` writes).") var data: String
    @Option(help: "Tokens per example; longer examples are cut.") var maxSeqLen = 2048
    @Flag(help: "With --lora, skip measuring the base model.") var noBase = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await reportingErrors {
            let model = try await modelOptions.load()
            let entries = try loraOptions.load(for: model)
            var mixes: [AdapterMix] = []
            if entries.isEmpty || !noBase { mixes.append(.none) }
            if !entries.isEmpty { mixes.append(AdapterMix(entries)) }
            let results = try DatasetEvaluator(model: model, maxSeqLen: maxSeqLen)
                .evaluate(path: data, mixes: mixes, progress: { reportProgress(label: $0, totalBytes: $1, itemName: $2) })
            if json {
                try printJSON(Dictionary(uniqueKeysWithValues: zip(mixes, results).map { mix, r in
                    (mix.isEmpty ? "base" : mix.description,
                     ["loss": r.loss, "perplexity": r.perplexity, "examples": r.examples, "target_tokens": r.targetTokens] as [String: Any])
                }))
                return
            }
            for (mix, r) in zip(mixes, results) {
                print(String(format: "%-28@ loss %.4f  perplexity %.3f  (%d examples, %d answer tokens, %.1f s)",
                             mix.isEmpty ? "base model" : mix.description, r.loss, r.perplexity, r.examples, r.targetTokens, r.seconds))
            }
        }
    }
}
