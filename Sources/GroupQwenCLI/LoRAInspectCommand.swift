import ArgumentParser
import Engine
import Foundation

/// `groupqwen lora inspect FILE_OR_DIR`: what an adapter holds, and whether it fits a model.
struct LoRAInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show an adapter's base architecture, rank, alpha, targets and size.")

    @Argument(help: "A llama.cpp GGUF adapter or a PEFT folder.")
    var path: String

    @Option(name: .shortAndLong, help: "Also check the adapter against this model (a known id or a .gguf path).")
    var model: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let summary = try LoRAFileSummary.read(path: path)
            var fits: String?
            if let model {
                let url = try await resolveModel(model)
                let configuration = try ModelLoader.configuration(path: url.path)
                _ = try LoRAAdapter.load(path: path, for: configuration)
                fits = "\(configuration.architecture), \(configuration.layerCount) layers (\(url.lastPathComponent))"
            }
            if json {
                var object: [String: Any] = [
                    "format": summary.format.rawValue, "ranks": summary.ranks, "targets": summary.targets.map(\.shortName),
                    "layers": summary.layers, "pairs": summary.pairs, "parameters": summary.parameterCount,
                    "tensor_types": summary.tensorTypes, "file_bytes": summary.fileBytes, "rslora": summary.usesRSLoRA,
                ]
                object["architecture"] = summary.architecture
                object["base_model"] = summary.baseModel
                object["alpha"] = summary.alpha.map { Double($0) }
                object["fits"] = fits
                try printJSON(object)
                return
            }
            print("format:        \(summary.format == .gguf ? "llama.cpp GGUF adapter" : "PEFT folder")")
            if let a = summary.architecture { print("architecture:  \(a)") }
            if let b = summary.baseModel { print("base model:    \(b)") }
            print("rank:          \(summary.ranks.map(String.init).joined(separator: ", "))")
            print("alpha:         \(summary.alpha.map { String(format: "%g", $0) } ?? "none (scale = user scale)")\(summary.usesRSLoRA ? " (rsLoRA: scale alpha/√r)" : "")")
            print("targets:       \(summary.targets.map(\.shortName).joined(separator: ", ")) in \(summary.layers) layers (\(summary.pairs) pairs)")
            print("parameters:    \(summary.parameterCount) (\(summary.tensorTypes.joined(separator: ", ")))")
            print(String(format: "size:          %.1f MB on disk", Double(summary.fileBytes) / 1_048_576))
            if let fits { print("fits:          \(fits)") }
        }
    }
}
