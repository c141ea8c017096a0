/// What the backward pass of one layer needs from its forward pass, for up to `rows` rows. Layers
/// that fit the activation budget keep their own; the others share one and recompute it from the
/// layer's input during the backward pass.
final class LayerActivations: @unchecked Sendable {
    let rows: Int
    /// Queries, keys (after bias, QK-norm and RoPE) and values.
    let query: UnsafeMutablePointer<Float>
    let key: UnsafeMutablePointer<Float>
    let value: UnsafeMutablePointer<Float>
    /// Queries and keys before QK-norm (nil without QK-norm).
    let queryPreNorm: UnsafeMutablePointer<Float>?
    let keyPreNorm: UnsafeMutablePointer<Float>?
    /// Log-sum-exp of every (row, head)'s attention scores.
    let logSumExp: UnsafeMutablePointer<Float>
    /// Attention output (the input of the output projection).
    let attention: UnsafeMutablePointer<Float>
    /// The output projection before the post-attention norm (nil without post-norms).
    let attentionPreNorm: UnsafeMutablePointer<Float>?
    /// The residual stream after the attention block.
    let middle: UnsafeMutablePointer<Float>
    let gate: UnsafeMutablePointer<Float>
    let up: UnsafeMutablePointer<Float>
    /// The down projection before the post-feed-forward norm (nil without post-norms).
    let downPreNorm: UnsafeMutablePointer<Float>?
    /// s·A·x of every adapted target, `rows × rank` each (nil for targets without an adapter).
    let lowRank: [UnsafeMutablePointer<Float>?]
    private var all: [UnsafeMutablePointer<Float>] = []

    init(shape s: TrainingShape, rows: Int, rank: Int, targets: [Bool]) {
        self.rows = rows
        var all: [UnsafeMutablePointer<Float>] = []
        func make(_ width: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rows * width))
            all.append(p)
            return p
        }
        query = make(s.queryWidth)
        key = make(s.keyWidth)
        value = make(s.valueWidth)
        queryPreNorm = s.hasQKNorm ? make(s.queryWidth) : nil
        keyPreNorm = s.hasQKNorm ? make(s.keyWidth) : nil
        logSumExp = make(s.heads)
        attention = make(s.attentionWidth)
        attentionPreNorm = s.hasPostNorms ? make(s.width) : nil
        middle = make(s.width)
        gate = make(s.feedForward)
        up = make(s.feedForward)
        downPreNorm = s.hasPostNorms ? make(s.width) : nil
        lowRank = targets.map { $0 ? make(rank) : nil }
        self.all = all
    }

    deinit { all.forEach { $0.deallocate() } }

    /// Bytes per row for a model of `shape` with adapters of `rank` on `targets` targets.
    static func bytesPerRow(_ s: TrainingShape, rank: Int, targets: Int) -> Int {
        var floats = s.queryWidth + s.keyWidth + s.valueWidth + s.heads + s.attentionWidth + s.width + 2 * s.feedForward + targets * rank
        if s.hasQKNorm { floats += s.queryWidth + s.keyWidth }
        if s.hasPostNorms { floats += 2 * s.width }
        return floats * 4
    }
}

/// The widths the trainer's buffers are sized by.
struct TrainingShape {
    let width: Int
    let heads: Int
    let kvHeads: Int
    let headDim: Int
    let valueDim: Int
    let feedForward: Int
    let hasQKNorm: Bool
    let hasPostNorms: Bool

    var queryWidth: Int { heads * headDim }
    var keyWidth: Int { kvHeads * headDim }
    var valueWidth: Int { kvHeads * valueDim }
    var attentionWidth: Int { heads * valueDim }
    var queryKeyValueWidth: Int { queryWidth + keyWidth + valueWidth }
}
