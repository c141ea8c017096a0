import ArgumentParser
import Engine
import Foundation

/// `groupqwen bench`: prompt processing (pp512) and generation (tg128) speed, llama-bench style.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure prompt-processing and generation speed (tokens/s).")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Prompt tokens per prompt-processing run.")
    var promptTokens: Int = 512

    @Option(help: "Tokens per generation run.")
    var generateTokens: Int = 128

    @Option(help: "Measured runs per test (the median is reported).")
    var repetitions: Int = 5

    @Option(help: "Also measure N sequences generating at once through the continuous-batching scheduler (aggregate tokens/s).")
    var parallel: Int = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            guard promptTokens > 0, generateTokens > 0, repetitions > 0 else { throw ValidationError("counts must be positive") }
            let model = try await modelOptions.load(batchCapacity: promptTokens)
            let result = try Benchmark(model: model).run(promptTokens: promptTokens, generateTokens: generateTokens, repetitions: repetitions) { line in
                if !json { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
            guard parallel >= 1 else { throw ValidationError("--parallel must be ≥ 1") }
            let parallelTPS = parallel > 1
                ? try await Benchmark(model: model).runParallel(sequences: parallel, generateTokens: generateTokens, repetitions: repetitions) { line in
                    if !json { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                } : nil
            let fileName = URL(fileURLWithPath: model.file.path).lastPathComponent
            let reference = LlamaCppReference.figures(forFile: fileName)
            if json {
                // Built by assignment: with the default counts "pp\(promptTokens)_tps" is "pp512_tps",
                // and a dictionary literal with a duplicate key traps.
                var object: [String: Any] = [
                    "model": fileName, "threads": model.threadCount,
                    "peak_rss_mb": result.peakResidentMB, "model_mb": result.modelMB, "kv_cache_mb": result.cacheMB,
                ]
                object["pp\(promptTokens)_tps"] = result.promptTPS
                object["tg\(generateTokens)_tps"] = result.generateTPS
                if let parallelTPS { object["tg\(generateTokens)_x\(parallel)_tps"] = parallelTPS }
                if let reference {
                    object["llamacpp_pp512_tps"] = reference.pp512
                    object["llamacpp_tg128_tps"] = reference.tg128
                    object["pp_ratio"] = result.promptTPS / reference.pp512
                    object["tg_ratio"] = result.generateTPS / reference.tg128
                }
                try printJSON(object)
            } else {
                print("model: \(fileName)  threads: \(model.threadCount)")
                print(String(format: "pp%-4d %8.1f tok/s%@", promptTokens, result.promptTPS,
                             reference.map { String(format: "   (llama.cpp %.0f, ratio %.2f)", $0.pp512, result.promptTPS / $0.pp512) } ?? ""))
                print(String(format: "tg%-4d %8.1f tok/s%@", generateTokens, result.generateTPS,
                             reference.map { String(format: "   (llama.cpp %.0f, ratio %.2f)", $0.tg128, result.generateTPS / $0.tg128) } ?? ""))
                if let parallelTPS {
                    print(String(format: "tg%-4d ×%d %6.1f tok/s in total (%.2f× one sequence)", generateTokens, parallel, parallelTPS,
                                 parallelTPS / result.generateTPS))
                }
                // The weights are memory-mapped, so pages never touched (embedding rows of unused tokens)
                // are not resident: the peak can be below file + cache.
                let extra = result.peakResidentMB - result.modelMB - result.cacheMB
                print(String(format: "peak RSS %.0f MB (model file %.0f MB + KV cache %.0f MB %@ %.0f MB)", result.peakResidentMB,
                             result.modelMB, result.cacheMB, extra >= 0 ? "+" : "−", abs(extra)))
            }
        }
    }
}

/// llama.cpp's llama-bench medians on this machine kind, 2 threads (from the parity reference README).
struct LlamaCppReference {
    let pp512: Double
    let tg128: Double

    static func figures(forFile name: String) -> LlamaCppReference? {
        switch name {
        case "SmolLM2-135M-Instruct.Q4_1.gguf": return LlamaCppReference(pp512: 321, tg128: 119)
        case "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf": return LlamaCppReference(pp512: 244, tg128: 49)
        case "gemma-3-270m-q4_k_m.gguf": return LlamaCppReference(pp512: 686, tg128: 72)
        default: return nil
        }
    }
}
