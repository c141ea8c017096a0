import Foundation
import Kernels

/// A LoRA adapter: low-rank updates `ΔW = scale · B·A` of some projection matrices of a base model.
///
/// The adapter is applied at run time, never merged: a layer computes `W·x + s · B·(A·x)`, so the base
/// weights stay shared and memory-mapped and an adapter costs only its own size. Load one with
/// `LoRAAdapter.load(path:for:)` (a llama.cpp GGUF adapter or a PEFT folder) or build one from
/// matrices (the trainer does).
///
/// All matrices are held in F32: A as `rank × inputs` (row-major, so `A·x` is an ordinary matrix
/// product), B transposed as `rank × outputs` (so adding `Σ_k t_k · B[·, k]` walks contiguous memory).
public final class LoRAAdapter: @unchecked Sendable {
    /// Where an adapter came from.
    public enum Format: String, Sendable {
        case gguf
        case peft
        case memory
    }

    /// A name for messages and listings (the file or folder name without extension by default).
    public let name: String
    /// The `general.architecture` of the base model this adapter is for.
    public let architecture: String
    /// `lora_alpha` as stored (nil when the file carries none: then the scale is the user's scale alone).
    public let alpha: Float?
    /// Whether the scale is alpha / √rank (rsLoRA) instead of alpha / rank.
    public let usesRSLoRA: Bool
    public let format: Format
    /// Number of transformer blocks of the base model.
    public let layerCount: Int
    /// Per-head dimension of the base model's queries and keys (for the llama Q/K row permutation).
    public let headDim: Int
    /// Trainable numbers in all A and B matrices.
    public let parameterCount: Int
    /// The matrices it modifies, in `LoRATarget` order.
    public let targets: [LoRATarget]
    /// The ranks used (one value for most adapters).
    public let ranks: [Int]
    /// One slot per (layer, target): `layer * 7 + target.index`.
    let pairs: [LoRAPair?]
    private let storage: UnsafeMutablePointer<Float>

    /// Bytes of adapter weights held in memory.
    public var byteCount: Int { parameterCount * MemoryLayout<Float>.size }
    /// The largest rank.
    public var rank: Int { ranks.max() ?? 0 }

    /// Builds an adapter for a model with configuration `configuration` from its matrices, checking
    /// every shape. Throws `LoRAError` naming the first problem.
    public init(name: String, configuration: ModelConfiguration, matrices: [LoRAMatrices], alpha: Float?,
                usesRSLoRA: Bool = false, format: Format = .memory) throws(LoRAError) {
        guard !matrices.isEmpty else { throw .noTensors(name) }
        var slots = [LoRAMatrices?](repeating: nil, count: configuration.layerCount * LoRATarget.allCases.count)
        var total = 0
        for m in matrices {
            guard m.layer >= 0, m.layer < configuration.layerCount else {
                throw .wrongShape(tensor: m.label, reason: "layer \(m.layer) does not exist (the model has \(configuration.layerCount) layers)")
            }
            let (inputs, outputs) = m.target.shape(in: configuration)
            guard m.rank > 0 else { throw .wrongShape(tensor: m.label, reason: "rank is 0") }
            guard m.a.count == m.rank * inputs else {
                throw .wrongShape(tensor: m.label, reason: "lora_a holds \(m.a.count) numbers, expected rank \(m.rank) × \(inputs) inputs (other model size?)")
            }
            guard m.b.count == outputs * m.rank else {
                throw .wrongShape(tensor: m.label, reason: "lora_b holds \(m.b.count) numbers, expected \(outputs) outputs × rank \(m.rank) (other model size?)")
            }
            guard m.scale.isFinite else { throw .wrongShape(tensor: m.label, reason: "scale \(m.scale) is not finite") }
            let slot = m.layer * LoRATarget.allCases.count + m.target.index
            guard slots[slot] == nil else { throw .duplicateTensor(m.label) }
            slots[slot] = m
            total += m.a.count + m.b.count
        }
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: max(total, 1))
        var cursor = storage
        var pairs = [LoRAPair?](repeating: nil, count: slots.count)
        for (slot, m) in slots.enumerated() {
            guard let m else { continue }
            let (inputs, outputs) = m.target.shape(in: configuration)
            let a = cursor
            m.a.withUnsafeBufferPointer { a.update(from: $0.baseAddress!, count: $0.count) }
            cursor += m.a.count
            // Bᵀ[k][o] = B[o][k].
            let bT = cursor
            m.b.withUnsafeBufferPointer { b in
                for o in 0..<outputs {
                    for k in 0..<m.rank { bT[k * outputs + o] = b[o * m.rank + k] }
                }
            }
            cursor += m.b.count
            // F32 rows are whole blocks of one element, so the description cannot fail.
            let matrix = try! WeightMatrix(type: .f32, rows: m.rank, columns: inputs, data: UnsafeRawPointer(a))
            pairs[slot] = LoRAPair(rank: m.rank, inputs: inputs, outputs: outputs, a: matrix, bTransposed: bT, scale: m.scale)
        }
        self.name = name
        self.architecture = configuration.architecture
        self.alpha = alpha
        self.usesRSLoRA = usesRSLoRA
        self.format = format
        self.layerCount = configuration.layerCount
        self.headDim = configuration.headDim
        self.parameterCount = total
        self.pairs = pairs
        self.storage = storage
        self.targets = LoRATarget.allCases.filter { t in (0..<configuration.layerCount).contains { pairs[$0 * 7 + t.index] != nil } }
        self.ranks = Array(Set(matrices.map(\.rank))).sorted()
    }

    deinit { storage.deallocate() }

    /// The update of `target` in `layer`, if the adapter has one.
    @inline(__always) func pair(layer: Int, target: LoRATarget) -> LoRAPair? {
        pairs[layer * 7 + target.index]
    }

    /// Whether this adapter fits a model with configuration `c` (same architecture and matrix shapes).
    public func isCompatible(with c: ModelConfiguration) -> Bool {
        guard c.architecture == architecture, c.layerCount == layerCount else { return false }
        for layer in 0..<layerCount {
            for target in LoRATarget.allCases {
                guard let p = pair(layer: layer, target: target) else { continue }
                let (inputs, outputs) = target.shape(in: c)
                if p.inputs != inputs || p.outputs != outputs { return false }
            }
        }
        return true
    }

    /// Every matrix pair with B in its usual `outputs × rank` layout (for writing and merging).
    public func matrices() -> [LoRAMatrices] {
        var out: [LoRAMatrices] = []
        for layer in 0..<layerCount {
            for target in LoRATarget.allCases {
                guard let p = pair(layer: layer, target: target) else { continue }
                let a = Array(UnsafeBufferPointer(start: p.a.data.assumingMemoryBound(to: Float.self), count: p.rank * p.inputs))
                var b = [Float](repeating: 0, count: p.outputs * p.rank)
                for o in 0..<p.outputs {
                    for k in 0..<p.rank { b[o * p.rank + k] = p.bTransposed[k * p.outputs + o] }
                }
                out.append(LoRAMatrices(layer: layer, target: target, rank: p.rank, a: a, b: b, scale: p.scale))
            }
        }
        return out
    }
}

/// One low-rank update held by an adapter.
struct LoRAPair: @unchecked Sendable {
    let rank: Int
    let inputs: Int
    let outputs: Int
    /// A: `rank` rows of `inputs` floats.
    let a: WeightMatrix
    /// Bᵀ: `rank` rows of `outputs` floats.
    let bTransposed: UnsafePointer<Float>
    /// alpha / rank (alpha / √rank with rsLoRA; 1 without alpha), before the user's scale.
    let scale: Float
}

/// The matrices of one update, as files store them: A is `rank × inputs`, B is `outputs × rank`,
/// both row-major (PEFT's `lora_A.weight` / `lora_B.weight`, llama.cpp's `.lora_a` / `.lora_b`).
public struct LoRAMatrices: Sendable {
    public var layer: Int
    public var target: LoRATarget
    public var rank: Int
    public var a: [Float]
    public var b: [Float]
    /// The factor ΔW is multiplied by (alpha / rank unless the adapter says otherwise).
    public var scale: Float

    public init(layer: Int, target: LoRATarget, rank: Int, a: [Float], b: [Float], scale: Float) {
        self.layer = layer
        self.target = target
        self.rank = rank
        self.a = a
        self.b = b
        self.scale = scale
    }

    /// `blk.N.<target>.weight`, for messages.
    var label: String { "blk.\(layer).\(target.rawValue).weight" }
}
