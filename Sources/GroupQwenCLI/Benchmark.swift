import Engine
import Foundation

/// The measurement loop behind `groupqwen bench`.
struct Benchmark {
    let model: LanguageModel

    struct Result {
        var promptTPS: Double
        var generateTPS: Double
        var peakResidentMB: Double
        var modelMB: Double
        var cacheMB: Double
    }

    func run(promptTokens: Int, generateTokens: Int, repetitions: Int, log: (String) -> Void) throws -> Result {
        try run(promptTokens: promptTokens, generateTokens: generateTokens, repetitions: repetitions, variants: [.none], log: log)[0]
    }

    /// Measures each variant (a set of adapters, or none) with its runs interleaved (variant 1 run 1,
    /// variant 2 run 1, …), so a change in the host's speed during the benchmark affects all alike.
    func run(promptTokens: Int, generateTokens: Int, repetitions: Int, variants: [AdapterMix], log: (String) -> Void) throws -> [Result] {
        let cache = model.makeCache(capacity: max(promptTokens, generateTokens))
        var random = RandomSource(seed: 42)
        let vocabulary = UInt64(model.vocabularySize)
        let prompt = (0..<promptTokens).map { _ in Int32(truncatingIfNeeded: random.next() % vocabulary) }
        let clock = ContinuousClock()
        func label(_ v: Int) -> String { variants.count > 1 ? (variants[v].isEmpty ? " [base]" : " [\(variants[v])]") : "" }

        // Warm-up: touch every weight page once and size the buffers.
        for adapters in variants {
            cache.reset()
            let warm = min(32, promptTokens)
            _ = try model.forward(Array(prompt.prefix(warm)).enumerated().map {
                BatchRow(token: $1, position: $0, cache: cache, wantsLogits: $0 == warm - 1, adapters: adapters)
            })
        }
        var ppRates = [[Double]](repeating: [], count: variants.count)
        for r in 0..<repetitions {
            for (v, adapters) in variants.enumerated() {
                cache.reset()
                let rows = prompt.enumerated().map {
                    BatchRow(token: $1, position: $0, cache: cache, wantsLogits: $0 == promptTokens - 1, adapters: adapters)
                }
                let start = clock.now
                _ = try model.forward(rows)
                ppRates[v].append(Double(promptTokens) / Self.seconds(clock.now - start))
                log(String(format: "pp%d run %d: %.1f tok/s%@", promptTokens, r + 1, ppRates[v].last!, label(v)))
            }
        }
        var tgRates = [[Double]](repeating: [], count: variants.count)
        for r in 0..<repetitions {
            for (v, adapters) in variants.enumerated() {
                cache.reset()
                var token = prompt[0]
                let start = clock.now
                for position in 0..<generateTokens {
                    let logits = try model.forward([BatchRow(token: token, position: position, cache: cache, wantsLogits: true, adapters: adapters)])
                    token = Sampler.argmax(logits[0])
                }
                tgRates[v].append(Double(generateTokens) / Self.seconds(clock.now - start))
                log(String(format: "tg%d run %d: %.1f tok/s%@", generateTokens, r + 1, tgRates[v].last!, label(v)))
            }
        }
        let modelBytes = (try? FileManager.default.attributesOfItem(atPath: model.file.path)[.size] as? Int) ?? 0
        return variants.indices.map { v in
            Result(promptTPS: Self.median(ppRates[v]), generateTPS: Self.median(tgRates[v]),
                   peakResidentMB: Self.peakResidentMB(), modelMB: Double(modelBytes) / 1_048_576,
                   cacheMB: Double(cache.byteCount) / 1_048_576)
        }
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) * 1e-18
    }

    /// Peak resident set size of this process (VmHWM), in MB.
    static func peakResidentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
