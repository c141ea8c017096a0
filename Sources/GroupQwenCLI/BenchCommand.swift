import ArgumentParser
import Engine
import Foundation

/// `groupqwen bench`: prompt processing (pp512) and generation (tg128) speed, llama-bench style.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure prompt-processing and generation speed (tokens/s).")

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var loraOptions: LoRAOptions

    @Option(help: "Prompt tokens per prompt-processing run.")
    var promptTokens: Int = 512

    @Option(help: "Tokens per generation run.")
    var generateTokens: Int = 128

    @Option(help: "Measured runs per test (the median is reported).")
    var repetitions: Int = 5

    @Option(help: "Also measure N sequences generating at once through the continuous-batching scheduler (aggregate tokens/s).")
    var parallel: Int = 1

    @Flag(help: "With --parallel and several --lora: sequence i gets only adapter i mod (number of adapters), so one batch mixes different adapters.")
    var loraPerSequence = false

    @Option(help: "Also measure time to first token of an N-token conversation continued by one new turn, cold and with the prefix cache.")
    var prefixCache: Int?

    @Option(help: "Also measure speculative decoding on code prompts with this draft model (same tokenizer): a known id or a .gguf path.")
    var draft: String?

    @Option(help: "With --draft: most tokens the draft proposes per round (1...3; the number adapts to the acceptance rate).")
    var draftTokens: Int = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            guard promptTokens > 0, generateTokens > 0, repetitions > 0 else { throw ValidationError("counts must be positive") }
            guard parallel >= 1 else { throw ValidationError("--parallel must be ≥ 1") }
            guard (1...SpeculativeGenerator.draftTokenLimit).contains(draftTokens) else {
                throw ValidationError("--draft-tokens must be in 1...\(SpeculativeGenerator.draftTokenLimit)")
            }
            if let prefixCache, prefixCache < 32 { throw ValidationError("--prefix-cache must be ≥ 32 tokens") }
            let model = try await modelOptions.load(batchCapacity: promptTokens)
            let entries = try loraOptions.load(for: model)
            let log: (String) -> Void = { line in if !json { FileHandle.standardError.write(Data((line + "\n").utf8)) } }
            // With adapters: the bare model and the model with adapters, runs interleaved.
            let mix = loraPerSequence ? AdapterMix(Array(entries.prefix(1))) : AdapterMix(entries)
            let variants: [AdapterMix] = entries.isEmpty ? [.none] : [.none, mix]
            let results = try Benchmark(model: model).run(promptTokens: promptTokens, generateTokens: generateTokens,
                                                          repetitions: repetitions, variants: variants, log: log)
            let result = results[0], adapted = results.count > 1 ? results[1] : nil
            let perSequence: [AdapterMix] = loraPerSequence ? entries.map { AdapterMix([$0]) } : (entries.isEmpty ? [] : [mix])
            let parallelTPS = parallel > 1
                ? try await Benchmark(model: model).runParallel(sequences: parallel, generateTokens: generateTokens,
                                                                repetitions: repetitions, adapters: perSequence, log: log)
                : nil
            var speculative: Benchmark.SpeculativeResult?
            if let draft {
                var draftOptions = modelOptions
                draftOptions.model = draft
                let draftModel = try await draftOptions.load(batchCapacity: 64)
                speculative = try Benchmark(model: model).runSpeculative(draft: draftModel, draftTokens: draftTokens,
                                                                         generateTokens: generateTokens, repetitions: repetitions, log: log)
            }
            var prefix: Benchmark.PrefixCacheResult?
            if let prefixCache {
                prefix = try await Benchmark(model: model).runPrefixCache(prefixTokens: prefixCache, repetitions: repetitions, log: log)
            }
            // What the parallel figure is compared with: one sequence at a time with the same adapters.
            let single = adapted ?? result
            let ceiling = Benchmark(model: model).bandwidthCeiling()
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
                object["memory_bandwidth_gbs"] = ceiling.bytesPerSecond / 1e9
                object["bytes_per_token"] = ceiling.bytesPerToken
                object["tg_ceiling_tps"] = ceiling.tokensPerSecond
                object["tg_of_ceiling"] = result.generateTPS / ceiling.tokensPerSecond
                if let adapted {
                    object["lora"] = mix.description
                    object["lora_pp\(promptTokens)_tps"] = adapted.promptTPS
                    object["lora_tg\(generateTokens)_tps"] = adapted.generateTPS
                    object["lora_pp_slowdown"] = 1 - adapted.promptTPS / result.promptTPS
                    object["lora_tg_slowdown"] = 1 - adapted.generateTPS / result.generateTPS
                }
                if let parallelTPS {
                    object["tg\(generateTokens)_x\(parallel)_tps"] = parallelTPS
                    object["parallel_speedup"] = parallelTPS / single.generateTPS
                    if loraPerSequence { object["parallel_adapters"] = perSequence.map(\.description) }
                }
                if let speculative {
                    object["draft"] = draft
                    object["code_tg_tps"] = speculative.plainTPS
                    object["code_tg_draft_tps"] = speculative.speculativeTPS
                    object["draft_speedup"] = speculative.speculativeTPS / speculative.plainTPS
                    object["draft_proposed"] = speculative.statistics.proposed
                    object["draft_accepted"] = speculative.statistics.accepted
                    object["draft_seconds"] = speculative.statistics.draftSeconds
                    object["verify_seconds"] = speculative.statistics.verifySeconds
                    object["draft_identical_outputs"] = speculative.identical
                }
                if let prefix {
                    object["prefix_tokens"] = prefix.prefixTokens
                    object["prefix_new_tokens"] = prefix.newTokens
                    object["ttft_cold_s"] = prefix.coldSeconds
                    object["ttft_prefix_cached_s"] = prefix.warmSeconds
                    object["ttft_ratio"] = prefix.warmSeconds / prefix.coldSeconds
                }
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
                print(String(format: "memory bandwidth %.1f GB/s (%d threads) / %.0f MB read per token = ceiling %.1f tok/s; tg%d at %.0f %% of it",
                             ceiling.bytesPerSecond / 1e9, model.threadCount, Double(ceiling.bytesPerToken) / 1e6,
                             ceiling.tokensPerSecond, generateTokens, 100 * result.generateTPS / ceiling.tokensPerSecond))
                if let adapted {
                    print("with LoRA \(mix):")
                    print(String(format: "pp%-4d %8.1f tok/s   (%+.1f %% vs the bare model)", promptTokens, adapted.promptTPS,
                                 100 * (adapted.promptTPS / result.promptTPS - 1)))
                    print(String(format: "tg%-4d %8.1f tok/s   (%+.1f %% vs the bare model)", generateTokens, adapted.generateTPS,
                                 100 * (adapted.generateTPS / result.generateTPS - 1)))
                }
                if let parallelTPS {
                    let what = loraPerSequence ? " with \(perSequence.count) different adapters" : ""
                    print(String(format: "tg%-4d ×%d%@ %6.1f tok/s in total (%.2f× one sequence at a time)", generateTokens, parallel, what,
                                 parallelTPS, parallelTPS / single.generateTPS))
                }
                if let speculative, let draft {
                    let st = speculative.statistics
                    print(String(format: "code prompts, greedy, up to %d tokens: %.1f tok/s alone, %.1f tok/s with draft %@ (%.2f×); %d of %d proposals kept (%.0f %%), %d rounds; same output on %d of %d prompts",
                                 generateTokens, speculative.plainTPS, speculative.speculativeTPS, draft, speculative.speculativeTPS / speculative.plainTPS,
                                 st.accepted, st.proposed, 100 * st.acceptanceRate, st.rounds, speculative.identical, speculative.prompts))
                    print(String(format: "  per round: %.1f ms drafting, %.1f ms verifying", 1000 * st.draftSeconds / Double(max(1, st.rounds)),
                                 1000 * st.verifySeconds / Double(max(1, st.rounds))))
                }
                if let prefix {
                    print(String(format: "first token after a %d-token conversation: %.3f s cold, %.3f s with it in the prefix cache and %d new tokens (%.1f %%)",
                                 prefix.prefixTokens, prefix.coldSeconds, prefix.warmSeconds, prefix.newTokens,
                                 100 * prefix.warmSeconds / prefix.coldSeconds))
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
