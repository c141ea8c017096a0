import ArgumentParser
import Engine
import FineTuning
import Foundation
import GGUF
import Kernels

/// `groupqwen lora merge`: a standalone model with adapters folded in, quantized like llama-quantize.
struct LoRAMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Fold LoRA adapters into a model and write a standalone GGUF (F16, Q8_0 or Q4_K_M).",
        discussion: """
        Every matrix an adapter changes becomes W + scale·B·A (several adapters add up); then the whole model is \
        written as --type with llama.cpp's tensor-type rules and quantizers (metadata and tokenizer copied). \
        The output appears only when complete.
        """)

    @Option(name: .shortAndLong, help: "The base model: a known id or a .gguf path.") var model: String
    @OptionGroup var loraOptions: LoRAOptions
    @Option(name: .shortAndLong, help: "The output .gguf file.") var output: String
    @Option(name: .long, help: "f16, q8_0 or q4_k_m (also bf16, q4_0, q5_k_m, q6_k).") var type: String = "f16"
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?

    func run() async throws {
        try await reportingErrors {
            guard !loraOptions.specs.isEmpty else { throw ValidationError("name at least one adapter with --lora") }
            guard let fileType = QuantizationFileType(name: type), fileType != .allF32 else {
                throw ValidationError("--type must be f16, q8_0 or q4_k_m (or bf16, q4_0, q5_k_m, q6_k), not '\(type)'")
            }
            let url = try await resolveModel(model)
            let configuration = try ModelLoader.configuration(path: url.path)
            let entries = try loraOptions.specs.map { spec -> AdapterMix.Entry in
                let (path, scale) = try LoRAOptions.parse(spec)
                return AdapterMix.Entry(adapter: try LoRAAdapter.load(path: path, for: configuration), scale: scale)
            }
            let merger = LoRAMerger(adapters: AdapterMix(entries), base: try GGUFFile(path: url.path))
            let quantizer = GGUFQuantizer(fileType: fileType, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            var reporter: ProgressReporter?
            PartialOutputCleanup.arm(path: output)
            defer { PartialOutputCleanup.disarm() }
            let summary = try quantizer.quantize(input: url.path, output: output, override: { try merger.mergedValues(of: $0) },
                                                 progress: { p in
                if reporter == nil { reporter = ProgressReporter(label: "merge", total: p.totalBytes, itemName: "tensors") }
                reporter?.advance(to: p.doneBytes, items: p.tensor)
            })
            reporter?.finish()
            printNote(String(format: "wrote %@ (%@, %.1f MB): %d matrices merged from %@", output, fileType.description,
                             Double(summary.outputBytes) / 1_000_000, summary.overridden.count,
                             entries.map { "\($0.adapter.name)@\($0.scale)" }.joined(separator: " + ")))
        }
    }
}
