import CKernels
import Engine
import Kernels

/// ∂L/∂(normed hidden state) from ∂L/∂logits through the frozen output head W (vocabulary × width):
/// `dX = dLogits · W`, without a transposed copy of the head.
///
/// The vocabulary is walked in panels of `panelRows` rows: each panel of W is dequantized to floats (small
/// enough to stay in cache) and multiplied with the matching columns of dLogits by the register-tiled
/// float product. Threads take alternate panels and sum into their own dX, added up at the end. (A
/// transposed int8 head made every product stream all `rows × vocabulary` activations once per few output
/// columns: 2–3× slower for a 152k vocabulary, and 145 MB more memory.)
final class HeadGradient: @unchecked Sendable {
    static let panelRows = 128
    let head: WeightMatrix
    let rows: Int
    private let panels: UnsafeMutablePointer<Float>
    private let partials: UnsafeMutablePointer<Float>
    private let threads: Int

    /// - Parameter rows: most rows (targets) of one call.
    init(head: WeightMatrix, rows: Int, threads: Int) {
        self.head = head
        self.rows = rows
        self.threads = threads
        panels = .allocate(capacity: threads * Self.panelRows * head.columns)
        partials = .allocate(capacity: threads * rows * head.columns)
    }

    deinit {
        panels.deallocate()
        partials.deallocate()
    }

    /// `output[i] = Σ_v dLogits[i][v] · W[v]` for `count` rows (`dLogits` rows are `head.rows` apart).
    func multiply(_ dLogits: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        precondition(count <= rows && pool.threadCount <= threads)
        let width = head.columns, vocabulary = head.rows, panelRows = Self.panelRows
        let panelCount = (vocabulary + panelRows - 1) / panelRows
        let (panels, partials, w) = (self.panels, self.partials, head)
        pool.run { t, n in
            let panel = panels + t * panelRows * width, partial = partials + t * rows * width
            partial.update(repeating: 0, count: count * width)
            var p = t
            while p < panelCount {
                let first = p * panelRows, take = min(panelRows, vocabulary - first)
                for v in 0..<take {
                    Dequantize.row(w.type, from: w.row(first + v), count: width, into: panel + v * width)
                }
                ck_sgemm(Int32(count), Int32(width), Int32(take), dLogits + first, vocabulary, panel, width,
                         partial, width, 1, 0, 0)
                p += n
            }
        }
        let used = min(pool.threadCount, panelCount)
        output.update(from: partials, count: count * width)
        for t in 1..<max(used, 1) {
            Ops.add(output, partials + t * rows * width, count: count * width, output: output)
        }
    }
}
