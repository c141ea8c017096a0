import Foundation
import GGUF

extension LoRAAdapter {
    /// The single `adapter.lora.alpha` a GGUF file can carry, and the factor each pair's B must be
    /// multiplied by so that llama.cpp's per-pair scale alpha / rank reproduces this adapter's scale.
    /// (1 for every pair of an adapter with one alpha and plain LoRA scaling; rsLoRA and per-module
    /// alphas fold their difference into B.)
    func ggufAlphaAndFactors() -> (alpha: Float, factors: [Float]) {
        let all = matrices()
        guard let first = all.first else { return (0, []) }
        let alpha = first.scale * Float(first.rank)
        return (alpha, all.map { $0.scale / (alpha / Float($0.rank)) })
    }

    /// Writes the adapter in llama.cpp's GGUF LoRA format (`llama-cli --lora`, `llama-server --lora`):
    /// `general.type = adapter`, `adapter.type = lora`, `adapter.lora.alpha`, and for every pair
    /// `blk.N.<matrix>.weight.lora_a` (ggml shape [inputs, rank]) and `.lora_b` ([rank, outputs]) in F32.
    /// The file appears only when complete.
    public func writeGGUF(to path: String, name: String? = nil) throws {
        var writer = GGUFWriter()
        try writer.set("general.architecture", .string(architecture))
        try writer.set("general.type", .string("adapter"))
        try writer.set("general.name", .string(name ?? self.name))
        try writer.set("adapter.type", .string("lora"))
        let (alpha, factors) = ggufAlphaAndFactors()
        try writer.set("adapter.lora.alpha", .float32(alpha))
        for (m, factor) in zip(matrices(), factors) {
            let (inputs, outputs) = (m.a.count / m.rank, m.b.count / m.rank)
            let base = "blk.\(m.layer).\(m.target.rawValue).weight"
            try writer.addTensor(name: base + ".lora_a", shape: [inputs, m.rank], type: .f32, bytes: Self.bytes(m.a))
            try writer.addTensor(name: base + ".lora_b", shape: [m.rank, outputs], type: .f32,
                                 bytes: Self.bytes(factor == 1 ? m.b : m.b.map { $0 * factor }))
        }
        try writer.write(to: path)
    }

    static func bytes(_ values: [Float]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }
}
