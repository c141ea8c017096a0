import Foundation
import GGUF
import Kernels

extension LoRAAdapter {
    /// Loads a folder as Hugging Face PEFT saves it: `adapter_config.json` (`peft_type: LORA`, `r`,
    /// `lora_alpha`, `use_rslora`, optional `rank_pattern` / `alpha_pattern`) and
    /// `adapter_model.safetensors` with tensors such as
    /// `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight` ([rank, inputs]) and `lora_B` ([outputs, rank]).
    ///
    /// The scale is PEFT's: alpha / rank, or alpha / √rank with rsLoRA, per module. For the llama
    /// architecture the rows of q and k `lora_B` are permuted the way llama.cpp's converter permutes the
    /// base model's Q/K weights (the engine's RoPE rotates adjacent pairs), so the same folder gives the
    /// same output as its GGUF conversion.
    static func loadPEFT(directory: String, configuration c: ModelConfiguration, name: String) throws(LoRAError) -> LoRAAdapter {
        let configPath = (directory as NSString).appendingPathComponent("adapter_config.json")
        let settings = try PEFTSettings(path: configPath)
        let weightsPath = (directory as NSString).appendingPathComponent("adapter_model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            let bin = (directory as NSString).appendingPathComponent("adapter_model.bin")
            let reason = FileManager.default.fileExists(atPath: bin)
                ? "has adapter_model.bin (PyTorch pickle), which is not supported: save it with safe_serialization=True"
                : "has no adapter_model.safetensors"
            throw .cannotOpen(path: directory, reason: reason)
        }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: weightsPath) } catch { throw .file(path: weightsPath, reason: error.description) }

        var halves: [String: (a: SafeTensorsFile.Tensor?, b: SafeTensorsFile.Tensor?, layer: Int, target: LoRATarget)] = [:]
        for tensor in file.tensors.values {
            let parsed = try Self.parsePEFTName(tensor.name)
            var entry = halves[parsed.module] ?? (nil, nil, parsed.layer, parsed.target)
            if parsed.isA { entry.a = tensor } else { entry.b = tensor }
            halves[parsed.module] = entry
        }
        var matrices: [LoRAMatrices] = []
        for module in halves.keys.sorted() {
            let entry = halves[module]!
            guard let a = entry.a else { throw .missingPair(tensor: module, missing: "lora_A") }
            guard let b = entry.b else { throw .missingPair(tensor: module, missing: "lora_B") }
            let (inputs, outputs) = entry.target.shape(in: c)
            guard a.shape.count == 2, b.shape.count == 2 else {
                throw .wrongShape(tensor: module, reason: "lora_A \(a.shape) and lora_B \(b.shape) must be matrices")
            }
            let rank = a.shape[0]
            guard a.shape[1] == inputs, b.shape[0] == outputs else {
                throw .wrongShape(tensor: module, reason: "lora_B \(b.shape) · lora_A \(a.shape) does not give the model's [\(outputs), \(inputs)] (other model size?)")
            }
            guard b.shape[1] == rank, rank > 0 else {
                throw .wrongShape(tensor: module, reason: "lora_A has rank \(rank) but lora_B has rank \(b.shape[1])")
            }
            var bValues = try Self.floats(b, in: file)
            if c.architecture == "llama", entry.target == .query || entry.target == .key {
                bValues = Self.permuteForNormalRope(bValues, rows: outputs, columns: rank,
                                                    heads: entry.target == .query ? c.headCount : c.kvHeadCount)
            }
            let alpha = settings.alpha(forModule: module)
            let scale = settings.usesRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank)
            matrices.append(LoRAMatrices(layer: entry.layer, target: entry.target, rank: rank,
                                         a: try Self.floats(a, in: file), b: bValues, scale: scale))
        }
        guard !matrices.isEmpty else { throw .noTensors(name) }
        return try LoRAAdapter(name: name, configuration: c, matrices: matrices, alpha: settings.alpha,
                               usesRSLoRA: settings.usesRSLoRA, format: .peft)
    }

    /// Splits `…layers.N.<parent>.<proj>.lora_A[.<adapter name>].weight` into its module (the name
    /// without the `lora_X…` suffix), layer, target and half.
    static func parsePEFTName(_ name: String) throws(LoRAError) -> (module: String, layer: Int, target: LoRATarget, isA: Bool) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.last == "weight",
              let loraIndex = parts.firstIndex(where: { $0 == "lora_A" || $0 == "lora_B" }),
              parts.count - loraIndex == 2 || parts.count - loraIndex == 3,
              loraIndex >= 1, let target = LoRATarget.allCases.first(where: { $0.peftName == parts[loraIndex - 1] }),
              let layersIndex = parts[..<loraIndex].lastIndex(of: "layers"), layersIndex + 2 < loraIndex,
              let layer = Int(parts[layersIndex + 1]) else {
            throw .unsupportedTarget(tensor: name)
        }
        return (parts[..<loraIndex].joined(separator: "."), layer, target, parts[loraIndex] == "lora_A")
    }

    /// Reorders the rows of a Hugging Face Q or K update into GGUF order: within each head, the first
    /// half of the rows (the rotated "real" parts) and the second half interleave, as llama.cpp's
    /// converter does for the llama architecture (`permute(w, n_head)`).
    static func permuteForNormalRope(_ values: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        let headDim = rows / heads, half = headDim / 2
        var out = values
        for h in 0..<heads {
            for j in 0..<half {
                for s in 0..<2 {
                    let from = h * headDim + s * half + j, to = h * headDim + 2 * j + s
                    for k in 0..<columns { out[to * columns + k] = values[from * columns + k] }
                }
            }
        }
        return out
    }

    /// The inverse of `permuteForNormalRope` (GGUF order back to Hugging Face order).
    static func unpermuteForNormalRope(_ values: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        let headDim = rows / heads, half = headDim / 2
        var out = values
        for h in 0..<heads {
            for j in 0..<half {
                for s in 0..<2 {
                    let hf = h * headDim + s * half + j, gguf = h * headDim + 2 * j + s
                    for k in 0..<columns { out[hf * columns + k] = values[gguf * columns + k] }
                }
            }
        }
        return out
    }

    static func floats(_ tensor: SafeTensorsFile.Tensor, in file: SafeTensorsFile) throws(LoRAError) -> [Float] {
        let type: TensorType
        switch tensor.dtype {
        case "F32": type = .f32
        case "F16": type = .f16
        case "BF16": type = .bf16
        default: throw .unsupportedTensorType(tensor: tensor.name, type: tensor.dtype)
        }
        var out = [Float](repeating: 0, count: tensor.elementCount)
        out.withUnsafeMutableBufferPointer { buffer in
            Dequantize.row(type, from: file.data(of: tensor), count: tensor.elementCount, into: buffer.baseAddress!)
        }
        return out
    }
}

/// The parts of `adapter_config.json` that shape the computation, checked for what the engine supports.
struct PEFTSettings {
    let alpha: Float
    let usesRSLoRA: Bool
    /// `alpha_pattern`: per-module alpha by name pattern.
    let alphaPattern: [(pattern: String, alpha: Float)]

    init(path: String) throws(LoRAError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotOpen(path: (path as NSString).deletingLastPathComponent, reason: "has no adapter_config.json")
        }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalidConfiguration(path: path, reason: "is not a JSON object")
        }
        func fail(_ reason: String) -> LoRAError { .invalidConfiguration(path: path, reason: reason) }
        let type = json["peft_type"] as? String ?? "(none)"
        guard type.uppercased() == "LORA" else { throw fail("peft_type is '\(type)'; only LORA adapters are supported") }
        guard let rank = (json["r"] as? NSNumber)?.intValue, rank > 0 else { throw fail("'r' must be a positive integer") }
        let alpha = (json["lora_alpha"] as? NSNumber)?.floatValue ?? 8
        if json["use_dora"] as? Bool == true { throw fail("DoRA adapters (use_dora) are not supported") }
        if json["fan_in_fan_out"] as? Bool == true { throw fail("fan_in_fan_out adapters (GPT-2 style Conv1D) are not supported") }
        if let saved = json["modules_to_save"] as? [Any], !saved.isEmpty {
            throw fail("modules_to_save (fully trained extra modules) are not supported")
        }
        if let bias = json["bias"] as? String, bias != "none" { throw fail("bias '\(bias)' is not supported (only 'none')") }
        self.alpha = alpha
        self.usesRSLoRA = json["use_rslora"] as? Bool ?? false
        let pattern = json["alpha_pattern"] as? [String: Any] ?? [:]
        self.alphaPattern = pattern.compactMap { key, value in (value as? NSNumber).map { (key, $0.floatValue) } }
            .sorted { $0.pattern < $1.pattern }
    }

    /// The alpha of `module` (PEFT matches `alpha_pattern` keys against the end of the module name).
    func alpha(forModule module: String) -> Float {
        for (pattern, value) in alphaPattern {
            if let regex = try? NSRegularExpression(pattern: "^(.*\\.)?(\(pattern))$"),
               regex.firstMatch(in: module, range: NSRange(module.startIndex..., in: module)) != nil {
                return value
            }
        }
        return alpha
    }
}
