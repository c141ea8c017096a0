import Foundation
import GGUF

/// What an adapter file or folder holds, read without a base model (`groupqwen lora inspect`).
public struct LoRAFileSummary: Sendable {
    public var format: LoRAAdapter.Format
    /// `general.architecture` of a GGUF adapter; nil for PEFT folders (see `baseModel`).
    public var architecture: String?
    /// PEFT's `base_model_name_or_path`, when present.
    public var baseModel: String?
    public var alpha: Float?
    public var usesRSLoRA: Bool
    public var ranks: [Int]
    public var targets: [LoRATarget]
    /// Number of layers with at least one update.
    public var layers: Int
    public var pairs: Int
    public var parameterCount: Int
    /// Element types of the tensors (`F32`, `F16`, …).
    public var tensorTypes: [String]
    public var fileBytes: Int

    /// Reads `path` (a GGUF adapter, a PEFT folder or its `.safetensors` file). Throws `LoRAError`.
    public static func read(path: String) throws(LoRAError) -> LoRAFileSummary {
        let expanded = (path as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "no such file or folder")
        }
        let url = URL(fileURLWithPath: expanded)
        if isDirectory.boolValue || url.pathExtension == "safetensors" {
            return try readPEFT(directory: isDirectory.boolValue ? expanded : url.deletingLastPathComponent().path)
        }
        return try readGGUF(path: expanded)
    }

    private static func readGGUF(path: String) throws(LoRAError) -> LoRAFileSummary {
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch {
            if case .notGGUF = error { throw .cannotOpen(path: path, reason: "neither a GGUF file nor a PEFT adapter folder") }
            throw .file(path: path, reason: error.description)
        }
        let generalType = file.string("general.type") ?? "model"
        guard generalType == "adapter", file.string("adapter.type") == "lora" else {
            throw .notAnAdapter(path: path, reason: "general.type is '\(generalType)', adapter.type '\(file.string("adapter.type") ?? "(none)")'")
        }
        var ranks = Set<Int>(), targets = Set<LoRATarget>(), layers = Set<Int>(), types = Set<String>()
        var parameters = 0, pairs = 0
        for tensor in file.tensors where tensor.name.hasSuffix(".lora_a") || tensor.name.hasSuffix(".lora_b") {
            let (layer, target) = try LoRAAdapter.parseBlockTensor(String(tensor.name.dropLast(7)))
            layers.insert(layer)
            targets.insert(target)
            types.insert(LoRAAdapter.typeName(tensor.type))
            parameters += tensor.elementCount
            if tensor.name.hasSuffix(".lora_a") {
                pairs += 1
                if tensor.shape.count == 2 { ranks.insert(tensor.shape[1]) }
            }
        }
        let alpha = file.float("adapter.lora.alpha")
        return LoRAFileSummary(format: .gguf, architecture: file.architecture, baseModel: file.string("general.base_model.0.name"),
                               alpha: alpha == 0 ? nil : alpha, usesRSLoRA: false, ranks: ranks.sorted(),
                               targets: LoRATarget.allCases.filter(targets.contains), layers: layers.count, pairs: pairs,
                               parameterCount: parameters, tensorTypes: types.sorted(), fileBytes: file.mapping.size)
    }

    private static func readPEFT(directory: String) throws(LoRAError) -> LoRAFileSummary {
        let configPath = (directory as NSString).appendingPathComponent("adapter_config.json")
        let settings = try PEFTSettings(path: configPath)
        let json = FileManager.default.contents(atPath: configPath).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]
        let weightsPath = (directory as NSString).appendingPathComponent("adapter_model.safetensors")
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: weightsPath) } catch { throw .file(path: weightsPath, reason: error.description) }
        var ranks = Set<Int>(), targets = Set<LoRATarget>(), layers = Set<Int>(), types = Set<String>()
        var parameters = 0, pairs = 0
        for tensor in file.tensors.values {
            let parsed = try LoRAAdapter.parsePEFTName(tensor.name)
            layers.insert(parsed.layer)
            targets.insert(parsed.target)
            types.insert(tensor.dtype)
            parameters += tensor.elementCount
            if parsed.isA {
                pairs += 1
                if let r = tensor.shape.first { ranks.insert(r) }
            }
        }
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: weightsPath))?[.size] as? Int) ?? 0
        return LoRAFileSummary(format: .peft, architecture: nil, baseModel: json?["base_model_name_or_path"] as? String,
                               alpha: settings.alpha, usesRSLoRA: settings.usesRSLoRA, ranks: ranks.sorted(),
                               targets: LoRATarget.allCases.filter(targets.contains), layers: layers.count, pairs: pairs,
                               parameterCount: parameters, tensorTypes: types.sorted(), fileBytes: bytes)
    }
}
