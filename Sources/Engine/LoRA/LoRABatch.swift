import Kernels

/// Which rows of one forward chunk use which adapter, plus the reusable lists and scratch the
/// low-rank products need. Rebuilt for every chunk; after warm-up it allocates nothing.
///
/// Rows are grouped by adapter (as Punica / S-LoRA do): each adapter's `A·x` runs once over the chunk
/// inside the base model's own product dispatch, and its `B·t` update touches only the rows that use it.
final class LoRABatch {
    /// The distinct adapters of the chunk.
    private(set) var adapters: [LoRAAdapter] = []
    /// Rows using adapter `i` are `rows[start[i]..<start[i + 1]]`, with user scales `scales[…]`.
    private(set) var start: [Int] = []
    private(set) var rows: [Int] = []
    private(set) var scales: [Float] = []
    /// Matrices and outputs of the current fused product (base first, then each adapter's A).
    var matrices: [WeightMatrix] = []
    var outputs: [UnsafeMutablePointer<Float>] = []
    /// The B updates that follow the product.
    var jobs: [LowRankJob] = []
    private var scratch: UnsafeMutablePointer<Float>
    private var scratchCapacity: Int
    private var scratchUsed = 0

    init() {
        scratchCapacity = 4096
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit { scratch.deallocate() }

    var isEmpty: Bool { adapters.isEmpty }

    /// Groups `chunk`'s rows by adapter.
    func prepare(_ chunk: ArraySlice<BatchRow>) {
        adapters.removeAll(keepingCapacity: true)
        start.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
        scales.removeAll(keepingCapacity: true)
        for row in chunk {
            for entry in row.adapters.entries where !adapters.contains(where: { $0 === entry.adapter }) {
                adapters.append(entry.adapter)
            }
        }
        guard !adapters.isEmpty else { return }
        for adapter in adapters {
            start.append(rows.count)
            for (i, row) in chunk.enumerated() {
                for entry in row.adapters.entries where entry.adapter === adapter {
                    rows.append(i)
                    scales.append(entry.scale)
                }
            }
        }
        start.append(rows.count)
    }

    /// Starts a new product: forgets the lists and the scratch use of the previous one.
    func beginProduct(base: [WeightMatrix], outputs baseOutputs: [UnsafeMutablePointer<Float>]) {
        matrices.removeAll(keepingCapacity: true)
        outputs.removeAll(keepingCapacity: true)
        jobs.removeAll(keepingCapacity: true)
        matrices.append(contentsOf: base)
        outputs.append(contentsOf: baseOutputs)
        scratchUsed = 0
    }

    /// Reserves `count` floats for one `A·x` result; call `reserveScratch` first with the total.
    func takeScratch(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = scratch + scratchUsed
        scratchUsed += count
        precondition(scratchUsed <= scratchCapacity, "LoRA scratch was not reserved")
        return p
    }

    /// Makes room for `count` floats of `A·x` results (contents are not kept).
    func reserveScratch(_ count: Int) {
        guard count > scratchCapacity else { return }
        scratch.deallocate()
        scratchCapacity = max(count, scratchCapacity * 2)
        scratch = .allocate(capacity: scratchCapacity)
    }
}

/// One low-rank update to apply after a product: `output[row] += s · B·t[row]` for the rows of `adapter`.
struct LowRankJob {
    let pair: LoRAPair
    /// Index into `LoRABatch.adapters`.
    let adapter: Int
    /// `A·x` for every row of the chunk: rows of `pair.rank` floats.
    let products: UnsafeMutablePointer<Float>
    /// The base product's output for this target: rows of `pair.outputs` floats.
    let output: UnsafeMutablePointer<Float>
}
