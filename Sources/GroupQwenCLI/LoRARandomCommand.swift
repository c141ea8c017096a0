import ArgumentParser
import Engine
import Foundation

/// `groupqwen lora random`: a seeded random adapter for a model (benchmarks, tests, experiments).
struct LoRARandomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "random", abstract: "Write a seeded random LoRA adapter for a model (llama.cpp GGUF format).")

    @Option(name: .shortAndLong, help: "A known model id or a path to a .gguf file.")
    var model: String = "smollm2-135m"

    @Option(help: "Rank.")
    var rank: Int = 16

    @Option(help: "Alpha (default: 2 × rank).")
    var alpha: Float?

    @Option(help: "Comma-separated targets: q,k,v,o,gate,up,down (default: all seven).")
    var targets: String = "q,k,v,o,gate,up,down"

    @Option(help: "Standard deviation of B's entries (0 gives an adapter that changes nothing, as training starts).")
    var bStd: Float = 0.02

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(name: .shortAndLong, help: "Output .gguf file.")
    var output: String

    func run() async throws {
        try await reportingErrors {
            guard rank > 0 else { throw ValidationError("--rank must be positive") }
            let chosen = try targets.split(separator: ",").map { name -> LoRATarget in
                guard let t = LoRATarget(name: String(name).trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown target '\(name)' (use q, k, v, o, gate, up, down)")
                }
                return t
            }
            let url = try await resolveModel(model)
            let configuration = try ModelLoader.configuration(path: url.path)
            let adapter = try LoRAAdapter.random(configuration: configuration, rank: rank, alpha: alpha, targets: chosen,
                                                 bStandardDeviation: bStd, seed: seed,
                                                 name: URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent)
            try adapter.writeGGUF(to: output)
            printNote(String(format: "wrote %@: rank %d, %d parameters (%.1f MB) for %@", output, rank, adapter.parameterCount,
                             Double(adapter.byteCount) / 1_048_576, configuration.architecture))
        }
    }
}
