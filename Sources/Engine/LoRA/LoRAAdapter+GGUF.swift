import Foundation
import GGUF
import Kernels

extension LoRAAdapter {
    /// Loads a llama.cpp GGUF adapter (as `convert_lora_to_gguf.py` writes it): `general.type = adapter`,
    /// `adapter.type = lora`, optional `adapter.lora.alpha`, and tensor pairs `blk.N.<matrix>.weight.lora_a`
    /// (ggml shape [inputs, rank]) and `.lora_b` ([rank, outputs]) in F32, F16, BF16 or Q8_0.
    ///
    /// The scale of each pair is llama.cpp's: alpha / rank, or 1 when alpha is absent or 0. Norm tensors
    /// (`*_norm.weight`) are ignored, as llama.cpp does.
    static func loadGGUF(path: String, configuration c: ModelConfiguration, name: String) throws(LoRAError) -> LoRAAdapter {
        let file: GGUFFile
        do {
            file = try GGUFFile(path: path)
        } catch {
            if case .notGGUF = error { throw .cannotOpen(path: path, reason: "neither a GGUF file nor a PEFT adapter folder") }
            throw .file(path: path, reason: error.description)
        }
        let generalType = file.string("general.type") ?? "model"
        guard generalType == "adapter" else {
            throw .notAnAdapter(path: path, reason: "general.type is '\(generalType)', expected 'adapter' (is this a model file?)")
        }
        let adapterType = file.string("adapter.type") ?? "(none)"
        guard adapterType == "lora" else { throw .notAnAdapter(path: path, reason: "adapter.type is '\(adapterType)', expected 'lora'") }
        let architecture = file.architecture ?? "(none)"
        guard architecture == c.architecture else { throw .wrongArchitecture(adapter: architecture, model: c.architecture) }
        let alphaValue = file.float("adapter.lora.alpha") ?? 0
        let alpha: Float? = alphaValue != 0 ? alphaValue : nil

        var halves: [String: (a: TensorInfo?, b: TensorInfo?)] = [:]
        var order: [String] = []
        for tensor in file.tensors {
            let base: String, isA: Bool
            if tensor.name.hasSuffix(".lora_a") {
                base = String(tensor.name.dropLast(7)); isA = true
            } else if tensor.name.hasSuffix(".lora_b") {
                base = String(tensor.name.dropLast(7)); isA = false
            } else if tensor.name.hasSuffix("_norm.weight") {
                continue
            } else {
                throw .unsupportedTarget(tensor: tensor.name)
            }
            if halves[base] == nil { order.append(base) }
            var entry = halves[base] ?? (nil, nil)
            if isA { entry.a = tensor } else { entry.b = tensor }
            halves[base] = entry
        }
        var matrices: [LoRAMatrices] = []
        for base in order {
            let entry = halves[base]!
            guard let a = entry.a else { throw .missingPair(tensor: base, missing: "lora_a") }
            guard let b = entry.b else { throw .missingPair(tensor: base, missing: "lora_b") }
            let (layer, target) = try Self.parseBlockTensor(base)
            let (inputs, outputs) = target.shape(in: c)
            guard a.shape.count == 2, b.shape.count == 2 else {
                throw .wrongShape(tensor: base, reason: "lora_a \(a.shape) and lora_b \(b.shape) must be matrices")
            }
            let rank = a.shape[1]
            guard a.shape[0] == inputs, b.shape[1] == outputs else {
                throw .wrongShape(tensor: base, reason: "lora_a \(a.shape) × lora_b \(b.shape) does not give the model's [\(inputs), \(outputs)] (other model size?)")
            }
            guard b.shape[0] == rank, rank > 0 else {
                throw .wrongShape(tensor: base, reason: "lora_a has rank \(rank) but lora_b has rank \(b.shape[0])")
            }
            let scale = alpha.map { $0 / Float(rank) } ?? 1
            matrices.append(LoRAMatrices(layer: layer, target: target, rank: rank,
                                         a: try Self.floats(a, in: file), b: try Self.floats(b, in: file), scale: scale))
        }
        return try LoRAAdapter(name: name, configuration: c, matrices: matrices, alpha: alpha, format: .gguf)
    }

    /// `blk.N.attn_q.weight` → (N, .query); anything else is a target the engine cannot adapt.
    static func parseBlockTensor(_ base: String) throws(LoRAError) -> (Int, LoRATarget) {
        let parts = base.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "blk", let layer = Int(parts[1]), parts[3] == "weight",
              let target = LoRATarget(rawValue: String(parts[2])) else {
            throw .unsupportedTarget(tensor: base)
        }
        return (layer, target)
    }

    /// A tensor's numbers as F32.
    static func floats(_ tensor: TensorInfo, in file: GGUFFile) throws(LoRAError) -> [Float] {
        switch tensor.type {
        case .f32, .f16, .bf16, .q8_0: break
        default: throw .unsupportedTensorType(tensor: tensor.name, type: Self.typeName(tensor.type))
        }
        guard tensor.rowLength % tensor.type.blockSize == 0 else {
            throw .wrongShape(tensor: tensor.name, reason: "rows of \(tensor.rowLength) are not whole \(Self.typeName(tensor.type)) blocks")
        }
        var out = [Float](repeating: 0, count: tensor.elementCount)
        out.withUnsafeMutableBufferPointer { buffer in
            Dequantize.row(tensor.type, from: file.data(of: tensor), count: tensor.elementCount, into: buffer.baseAddress!)
        }
        return out
    }

    static func typeName(_ type: TensorType) -> String {
        switch type {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .q8_0: return "Q8_0"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        default: return "ggml type \(type.rawValue)"
        }
    }
}
