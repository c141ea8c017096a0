import CKernels
import GGUF
import Kernels

/// Wᵀ of a stack of frozen matrices that share an input (Q, K, V or gate, up): `inputs` rows of Σ outputs
/// columns, for the backward product `dX = [dY₁ | dY₂ | …] · [W₁; W₂; …]` in one `MatMul` dispatch.
///
/// Quantized bases get Q8_0 blocks (the backward product then runs on the same int8 kernels as the
/// forward, with the gradient quantized per 32 values like an activation); exact mode keeps F32.
/// Built on demand into storage that is reused, so the model never holds a float copy of itself.
final class TransposedStack: @unchecked Sendable {
    let exact: Bool
    /// Build once and return the same matrix afterwards (the base never changes during training).
    let keepsBuilt: Bool
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    private var tiles: UnsafeMutablePointer<Float>?
    private var tileCapacity = 0
    private(set) var matrix: WeightMatrix?

    init(exact: Bool, keepsBuilt: Bool = false) {
        self.exact = exact
        self.keepsBuilt = keepsBuilt
    }

    /// Bytes of Wᵀ of `matrices` (Q8_0 when quantized and the outputs are a multiple of 32, else F32).
    static func byteCount(of matrices: [WeightMatrix], exact: Bool) -> Int {
        let inputs = matrices[0].columns, outputs = matrices.reduce(0) { $0 + $1.rows }
        return inputs * (!exact && outputs % 32 == 0 ? outputs / 32 * 34 : outputs * 4)
    }

    deinit {
        storage?.deallocate()
        tiles?.deallocate()
    }

    /// Builds Wᵀ of `matrices` (all with the same `columns`) and returns it.
    @discardableResult
    func build(_ matrices: [WeightMatrix], pool: ThreadPool) -> WeightMatrix {
        if keepsBuilt, let matrix { return matrix }
        let inputs = matrices[0].columns
        let outputs = matrices.reduce(0) { $0 + $1.rows }
        let quantized = !exact && outputs % 32 == 0
        let type: TensorType = quantized ? .q8_0 : .f32
        let rowBytes = quantized ? outputs / 32 * 34 : outputs * 4
        let bytes = inputs * rowBytes
        if bytes > capacity {
            storage?.deallocate()
            storage = .allocate(byteCount: bytes, alignment: 64)
            capacity = bytes
        }
        let threads = pool.threadCount
        if 32 * inputs * threads > tileCapacity {
            tiles?.deallocate()
            tileCapacity = 32 * inputs * threads
            tiles = .allocate(capacity: tileCapacity)
        }
        let out = storage!, tileBase = tiles!
        // Row o of the stack lives in matrix m at row o − offset[m].
        var offsets: [Int] = []
        var running = 0
        for m in matrices { offsets.append(running); running += m.rows }
        let blocks = (outputs + 31) / 32
        pool.run { t, n in
            let tile = tileBase + t * 32 * inputs
            var block = t
            while block < blocks {
                let first = block * 32, count = min(32, outputs - first)
                for i in 0..<count {
                    let o = first + i
                    let m = offsets.lastIndex { $0 <= o }!
                    let w = matrices[m]
                    Dequantize.row(w.type, from: w.row(o - offsets[m]), count: inputs, into: tile + i * inputs)
                }
                if quantized {
                    ck_transpose_tile_q8_0(tile, inputs, Int32(inputs), out, rowBytes, Int32(block))
                } else {
                    let dst = out.assumingMemoryBound(to: Float.self)
                    for c in 0..<inputs {
                        for i in 0..<count { dst[c * outputs + first + i] = tile[i * inputs + c] }
                    }
                }
                block += n
            }
        }
        let matrix = try! WeightMatrix(type: type, rows: inputs, columns: outputs, data: UnsafeRawPointer(out))
        self.matrix = matrix
        if keepsBuilt {
            tiles?.deallocate()
            tiles = nil
            tileCapacity = 0
        }
        return matrix
    }

    /// Bytes held.
    var byteCount: Int { capacity + tileCapacity * 4 }
}
