import ArgumentParser
import FineTuning
import Foundation
import GGUF
import Kernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `groupqwen quantize IN.gguf OUT.gguf --type f16|q8_0|q4_k_m [--threads N]`: re-encode a model the
/// way `llama-quantize` does (same tensor types, same bytes).
struct QuantizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Re-encode a GGUF model as F16, Q8_0 or Q4_K_M, byte-identical with llama-quantize.",
        discussion: """
            Tensor types follow llama.cpp's rules (norms and biases stay as they are; the output or tied \
            embedding and half of attn_v and ffn_down get Q6_K in Q4_K_M). Metadata and tokenizer are \
            copied. OUT is written to a temporary file and renamed into place once complete. \
            Also accepted: bf16, q4_0, q5_k_m, q6_k.
            """)

    @Argument(help: "The input model: a .gguf file (any supported tensor types) or a known model id.")
    var input: String

    @Argument(help: "The output .gguf file.")
    var output: String

    @Option(name: .long, help: "Target: f16, q8_0 or q4_k_m.")
    var type: String

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func run() async throws {
        try await reportingErrors {
            guard let fileType = QuantizationFileType(name: type) else {
                let names = QuantizationFileType.allCases.filter { $0 != .allF32 }.map(\.name).joined(separator: ", ")
                throw ValidationError("--type must be one of \(names) (got '\(type)')")
            }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
            let url = try await resolveModel(input)
            let quantizer = GGUFQuantizer(fileType: fileType, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            var reporter: ProgressReporter?
            PartialOutputCleanup.arm(path: output)
            defer { PartialOutputCleanup.disarm() }
            let summary = try quantizer.quantize(input: url.path, output: output, progress: { p in
                if reporter == nil { reporter = ProgressReporter(label: "quantize", total: p.totalBytes, itemName: "tensors") }
                reporter?.advance(to: p.doneBytes, items: p.tensor)
            })
            reporter?.finish()
            var counts: [String: Int] = [:]
            for d in summary.decisions { counts[d.targetType.description, default: 0] += 1 }
            let types = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            printNote(String(format: "wrote %@ (%@, %.1f MB → %.1f MB): %@", output, fileType.description,
                             Double(summary.inputBytes) / 1_000_000, Double(summary.outputBytes) / 1_000_000, types))
        }
    }
}

/// Removes `GGUFWriter`'s temporary output (`OUT.partial-PID`) when the process is interrupted, so
/// that Ctrl-C leaves neither a partial output nor a stray temporary file.
enum PartialOutputCleanup {
    nonisolated(unsafe) private static var temporaryPath: UnsafeMutablePointer<CChar>?

    static func arm(path: String) {
        temporaryPath = strdup(path + ".partial-\(getpid())")
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { sig in
                if let p = PartialOutputCleanup.temporaryPath { unlink(p) }
                _exit(128 + sig)
            }
        }
    }

    static func disarm() {
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
        free(temporaryPath)
        temporaryPath = nil
    }
}
