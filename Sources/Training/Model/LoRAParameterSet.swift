import Engine
import Foundation
import Kernels

/// The adapter being trained: for every (layer, target) an A (`rank × inputs`) and a Bᵀ (`rank × outputs`,
/// B transposed so that adding `B·u` and accumulating its gradient both walk contiguous memory), with a
/// gradient buffer of the same layout. One contiguous allocation for values, one for gradients.
///
/// Initialisation is PEFT's: A uniform in ±1/√inputs (Kaiming-uniform with a = √5), B = 0, so training
/// starts from the base model. The scale is alpha / rank (alpha / √rank with rsLoRA).
final class LoRAParameterSet: @unchecked Sendable {
    struct Slot {
        let layer: Int
        let target: LoRATarget
        let rank: Int
        let inputs: Int
        let outputs: Int
        /// Offsets of A and Bᵀ in `values` / `gradients`.
        let a: Int
        let bT: Int
    }

    let configuration: ModelConfiguration
    let rank: Int
    let alpha: Float
    let usesRSLoRA: Bool
    let targets: [LoRATarget]
    /// alpha / rank, or alpha / √rank.
    let scale: Float
    /// Slot of (layer, target) at `layer * 7 + target.index`.
    let slots: [Slot?]
    let count: Int
    let values: UnsafeMutablePointer<Float>
    let gradients: UnsafeMutablePointer<Float>

    init(configuration c: ModelConfiguration, rank: Int, alpha: Float, usesRSLoRA: Bool, targets: [LoRATarget], seed: UInt64) {
        self.configuration = c
        self.rank = rank
        self.alpha = alpha
        self.usesRSLoRA = usesRSLoRA
        self.targets = targets
        self.scale = usesRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank)
        var slots = [Slot?](repeating: nil, count: c.layerCount * 7)
        var offset = 0
        for layer in 0..<c.layerCount {
            for target in targets {
                let (inputs, outputs) = target.shape(in: c)
                slots[layer * 7 + target.index] = Slot(layer: layer, target: target, rank: rank, inputs: inputs, outputs: outputs,
                                                       a: offset, bT: offset + rank * inputs)
                offset += rank * (inputs + outputs)
            }
        }
        self.slots = slots
        self.count = offset
        values = .allocate(capacity: max(offset, 1))
        gradients = .allocate(capacity: max(offset, 1))
        values.initialize(repeating: 0, count: max(offset, 1))
        gradients.initialize(repeating: 0, count: max(offset, 1))
        var random = RandomSource(seed: seed)
        for case let slot? in slots {
            let bound = 1 / Float(slot.inputs).squareRoot()
            for i in 0..<(slot.rank * slot.inputs) { values[slot.a + i] = (2 * random.nextUnit() - 1) * bound }
        }
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    @inline(__always) func slot(layer: Int, target: LoRATarget) -> Slot? { slots[layer * 7 + target.index] }

    /// A as a kernel matrix (`rank` rows of `inputs`): `MatMul` gives u = A·x for every row.
    func aMatrix(_ s: Slot) -> WeightMatrix {
        try! WeightMatrix(type: .f32, rows: s.rank, columns: s.inputs, data: UnsafeRawPointer(values + s.a))
    }

    /// Bᵀ as a kernel matrix (`rank` rows of `outputs`): `MatMul` gives g = dY·B for every row.
    func bTransposedMatrix(_ s: Slot) -> WeightMatrix {
        try! WeightMatrix(type: .f32, rows: s.rank, columns: s.outputs, data: UnsafeRawPointer(values + s.bT))
    }

    func zeroGradients() { gradients.update(repeating: 0, count: count) }

    /// Multiplies every gradient by `factor`.
    func scaleGradients(by factor: Float) { Ops.scale(gradients, by: factor, count: count) }

    // MARK: Named tensors (checkpoints)

    /// The parameters as checkpoints hold them, in optimizer order: `blk.N.<target>.lora_a` ([rank, inputs])
    /// and `blk.N.<target>.lora_b_t` ([rank, outputs], B transposed as trained). Exports write B as files expect.
    func tensors() -> [ParameterTensor] {
        var out: [ParameterTensor] = []
        for case let s? in slots {
            let base = "blk.\(s.layer).\(s.target.rawValue)"
            out.append(ParameterTensor(name: base + ".lora_a", shape: [s.rank, s.inputs],
                                       values: Array(UnsafeBufferPointer(start: values + s.a, count: s.rank * s.inputs))))
            out.append(ParameterTensor(name: base + ".lora_b_t", shape: [s.rank, s.outputs],
                                       values: Array(UnsafeBufferPointer(start: values + s.bT, count: s.rank * s.outputs))))
        }
        return out
    }

    /// Restores values saved by `tensors()`; throws naming the first tensor that is missing or misshapen.
    func load(_ tensors: [ParameterTensor]) throws {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for case let s? in slots {
            let base = "blk.\(s.layer).\(s.target.rawValue)"
            for (suffix, offset, shape) in [(".lora_a", s.a, [s.rank, s.inputs]), (".lora_b_t", s.bT, [s.rank, s.outputs])] {
                guard let t = byName[base + suffix], t.shape == shape else {
                    throw TrainingError.checkpointMismatch("tensor '\(base + suffix)' is missing or has another shape than \(shape)")
                }
                t.values.withUnsafeBufferPointer { (values + offset).update(from: $0.baseAddress!, count: $0.count) }
            }
        }
    }

    /// Buffers in `tensors()` order… for the optimizer: (values, gradients) of every A and Bᵀ.
    func buffers() -> (parameters: [UnsafeMutableBufferPointer<Float>], gradients: [UnsafeBufferPointer<Float>]) {
        var p: [UnsafeMutableBufferPointer<Float>] = [], g: [UnsafeBufferPointer<Float>] = []
        for case let s? in slots {
            for (offset, n) in [(s.a, s.rank * s.inputs), (s.bT, s.rank * s.outputs)] {
                p.append(UnsafeMutableBufferPointer(start: values + offset, count: n))
                g.append(UnsafeBufferPointer(start: gradients + offset, count: n))
            }
        }
        return (p, g)
    }

    /// The current values as a servable adapter (the engine applies it at run time).
    func adapter(name: String, baseConfiguration: ModelConfiguration) throws -> LoRAAdapter {
        var matrices: [LoRAMatrices] = []
        for case let s? in slots {
            let a = Array(UnsafeBufferPointer(start: values + s.a, count: s.rank * s.inputs))
            var b = [Float](repeating: 0, count: s.outputs * s.rank)
            for o in 0..<s.outputs { for k in 0..<s.rank { b[o * s.rank + k] = values[s.bT + k * s.outputs + o] } }
            matrices.append(LoRAMatrices(layer: s.layer, target: s.target, rank: s.rank, a: a, b: b, scale: scale))
        }
        return try LoRAAdapter(name: name, configuration: baseConfiguration, matrices: matrices, alpha: alpha, usesRSLoRA: usesRSLoRA)
    }
}
