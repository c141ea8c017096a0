import Engine
import Foundation
import GGUF
import Kernels
import Testing

/// An adapter applied at run time agrees with the same adapter merged into an F16 model. Both sides run the
/// F16 float path (the base converted to F16, plus the adapter at run time; the merged F16 model), so what is
/// compared is the merge itself; against the quantized base the int8 rounding of the activations dominates
/// (printed: about as far as the engine's own rounding noise).
@Suite(.serialized)
struct LoRAMergeTests {
    @Test(arguments: [TestModel.smollm2, TestModel.qwen25])
    func runtimeAdapterAgreesWithMergedF16Model(_ test: TestModel) throws {
        let base = try test.load()
        let adapter = try LoRAAdapter.random(configuration: base.configuration, rank: 8, bStandardDeviation: 0.05, seed: 4)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("merged-\(test.id)-\(getpid()).gguf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let merger = LoRAMerger(adapters: AdapterMix(adapter), base: base.file)
        let summary = try GGUFQuantizer(fileType: .mostlyF16, threads: 2).quantize(input: base.file.path, output: path,
                                                                                   override: { try merger.mergedValues(of: $0) })
        #expect(summary.overridden.count == base.configuration.layerCount * 7)
        let merged = try ModelLoader.load(path: path, options: ModelLoadOptions(threads: 2))
        let basePath = path + ".base-f16.gguf"
        defer { try? FileManager.default.removeItem(atPath: basePath) }
        try GGUFQuantizer(fileType: .mostlyF16, threads: 2).quantize(input: base.file.path, output: basePath)
        let baseF16 = try ModelLoader.load(path: basePath, options: ModelLoadOptions(threads: 2))
        let adapterF16 = try LoRAAdapter(name: "same", configuration: baseF16.configuration, matrices: adapter.matrices(), alpha: adapter.alpha)
        var quantizedDifferences: [Double] = []
        var differences: [Double] = []
        for g in try ReferenceData.load(test.reference).greedy {
            let ids = g.prompt_ids + g.ids
            func logprobs(_ model: LanguageModel, _ mix: AdapterMix) throws -> [[Float]] {
                let cache = model.makeCache(capacity: ids.count)
                let out = try model.forward(ids.enumerated().map { BatchRow(token: $1, position: $0, cache: cache, wantsLogits: true, adapters: mix) })
                return (0..<out.rowCount).map { row in
                    let raw = UnsafeBufferPointer(out[row])
                    let lse = Logprobs.logSumExp(raw)
                    return raw.map { $0 - lse }
                }
            }
            let a = try logprobs(baseF16, AdapterMix(adapterF16)), b = try logprobs(merged, .none)
            let q = try logprobs(base, AdapterMix(adapter))
            for ((x, y), z) in zip(zip(a, b), q) {
                for t in x.withUnsafeBufferPointer({ Logprobs.top($0, count: 5) }) {
                    differences.append(Double(abs(x[Int(t.id)] - y[Int(t.id)])))
                    quantizedDifferences.append(Double(abs(z[Int(t.id)] - y[Int(t.id)])))
                }
            }
        }
        differences.sort()
        let median = differences[differences.count / 2]
        quantizedDifferences.sort()
        print("merge \(test): quantized base + adapter vs merged F16: |Δlogprob| median \(quantizedDifferences[quantizedDifferences.count / 2])")
        print("merge \(test): F16 base + adapter vs merged F16: |Δlogprob| median \(median) p95 \(differences[differences.count * 95 / 100]) max \(differences.last!)")
        #expect(median <= 0.02)
    }
}
