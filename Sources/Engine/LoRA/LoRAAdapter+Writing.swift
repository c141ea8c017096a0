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

extension LoRAAdapter {
    /// Writes the adapter as Hugging Face PEFT saves one: `adapter_config.json` (r, lora_alpha,
    /// use_rslora, target_modules, …) and `adapter_model.safetensors` with
    /// `base_model.model.model.layers.N.<self_attn|mlp>.<proj>.lora_A.weight` ([rank, inputs]) and
    /// `lora_B.weight` ([outputs, rank]) in F32. For the llama architecture the q/k rows of B go back to
    /// Hugging Face order (the inverse of llama.cpp's permutation). The folder is assembled under a
    /// temporary name and renamed into place when complete.
    public func writePEFT(to directory: String, baseModel: String, dropout: Double = 0) throws {
        let all = matrices()
        guard let first = all.first else { throw LoRAError.noTensors(name) }
        // One lora_alpha for the file; pairs whose scale differs (per-module alphas) fold the factor into B.
        let rank = first.rank
        let alpha = usesRSLoRA ? first.scale * Float(rank).squareRoot() : first.scale * Float(rank)
        var writer = SafeTensorsWriter()
        for m in all {
            let (inputs, outputs) = (m.a.count / m.rank, m.b.count / m.rank)
            let expected = usesRSLoRA ? alpha / Float(m.rank).squareRoot() : alpha / Float(m.rank)
            var b = m.scale == expected ? m.b : m.b.map { $0 * m.scale / expected }
            if architecture == "llama", m.target == .query || m.target == .key {
                b = Self.unpermuteForNormalRope(b, rows: outputs, columns: m.rank, heads: outputs / headDim)
            }
            let module = "base_model.model.model.layers.\(m.layer).\(m.target.peftParent).\(m.target.peftName)"
            try writer.add(module + ".lora_A.weight", shape: [m.rank, inputs], floats: m.a)
            try writer.add(module + ".lora_B.weight", shape: [outputs, m.rank], floats: b)
        }
        let ranks = Set(all.map(\.rank))
        let config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": baseModel,
            "r": rank, "lora_alpha": Double(alpha), "lora_dropout": dropout, "use_rslora": usesRSLoRA,
            "target_modules": targets.map(\.peftName), "bias": "none", "fan_in_fan_out": false,
            "inference_mode": true, "init_lora_weights": true, "use_dora": false, "modules_to_save": NSNull(),
            "layers_to_transform": NSNull(), "layers_pattern": NSNull(), "alpha_pattern": [String: Any](),
            "rank_pattern": ranks.count > 1 ? Dictionary(all.map { ("model.layers.\($0.layer).\($0.target.peftParent).\($0.target.peftName)", $0.rank) },
                                                         uniquingKeysWith: { a, _ in a }) : [String: Int](),
            "revision": NSNull(), "auto_mapping": NSNull(),
        ]
        let fm = FileManager.default
        let final = URL(fileURLWithPath: directory)
        let temporary = final.deletingLastPathComponent().appendingPathComponent(".\(final.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        do {
            let json = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            try json.write(to: temporary.appendingPathComponent("adapter_config.json"))
            try writer.write(to: temporary.appendingPathComponent("adapter_model.safetensors").path)
            if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
            try fm.moveItem(at: temporary, to: final)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
    }
}
