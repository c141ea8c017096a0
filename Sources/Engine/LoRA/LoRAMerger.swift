import GGUF
import Kernels

/// Folds adapters into a base model's weights: `W' = W + Σ_i s_i · B_i·A_i` for every matrix an adapter
/// changes (what `groupqwen lora merge` writes before quantizing). Other tensors are left to the caller.
public struct LoRAMerger: Sendable {
    public let adapters: AdapterMix
    public let base: GGUFFile

    public init(adapters: AdapterMix, base: GGUFFile) {
        self.adapters = adapters
        self.base = base
    }

    /// The merged values of `tensorName` (row-major, `outputs × inputs`), or nil when no adapter changes it.
    public func mergedValues(of tensorName: String) throws -> [Float]? {
        guard tensorName.hasPrefix("blk."), let (layer, target) = try? LoRAAdapter.parseBlockTensor(tensorName) else { return nil }
        let pairs = adapters.entries.compactMap { entry in entry.adapter.pair(layer: layer, target: target).map { (entry.scale, $0) } }
        guard !pairs.isEmpty, let info = base.tensor(tensorName) else { return nil }
        let inputs = info.rowLength, outputs = info.rowCount
        var values = [Float](repeating: 0, count: inputs * outputs)
        let rowBytes = info.byteCount / outputs
        values.withUnsafeMutableBufferPointer { w in
            let data = base.data(of: info)
            for o in 0..<outputs {
                Dequantize.row(info.type, from: data + o * rowBytes, count: inputs, into: w.baseAddress! + o * inputs)
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: pairs.map { $0.1.rank }.max()!) { coefficients in
                for (userScale, pair) in pairs where pair.inputs == inputs && pair.outputs == outputs {
                    let s = userScale * pair.scale
                    let a = pair.a.data.assumingMemoryBound(to: Float.self)
                    for o in 0..<outputs {
                        // Row o of B·A is Σ_k B[o][k] · A[k][·]; B is held transposed.
                        for k in 0..<pair.rank { coefficients[k] = s * pair.bTransposed[k * outputs + o] }
                        Ops.addLowRank(coefficients: coefficients.baseAddress!, rank: pair.rank, bTransposed: a, stride: inputs,
                                       range: 0..<inputs, output: w.baseAddress! + o * inputs)
                    }
                }
            }
        }
        return values
    }
}
