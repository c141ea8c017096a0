/// Activation buffers for one forward pass of up to `rowCapacity` tokens, allocated once per model
/// so that the token loop allocates nothing.
final class ForwardBuffers: @unchecked Sendable {
    let rowCapacity: Int
    let hidden: UnsafeMutablePointer<Float>      // residual stream  [rows][d]
    let normed: UnsafeMutablePointer<Float>      // normalised input [rows][d]
    let query: UnsafeMutablePointer<Float>       // [rows][heads*headDim]
    let key: UnsafeMutablePointer<Float>         // [rows][kvHeads*headDim]
    let value: UnsafeMutablePointer<Float>       // [rows][kvHeads*valueHeadDim]
    let attention: UnsafeMutablePointer<Float>   // [rows][heads*valueHeadDim]
    let projected: UnsafeMutablePointer<Float>   // [rows][d]
    let gate: UnsafeMutablePointer<Float>        // [rows][ff]
    let up: UnsafeMutablePointer<Float>          // [rows][ff]
    /// Per-thread attention scores: `scoreCapacity` floats for each head of one GQA group.
    let scores: UnsafeMutablePointer<Float>
    let scoreCapacity: Int
    let threadCount: Int
    private var all: [UnsafeMutablePointer<Float>] = []
    /// Output lists for the fused products, built once.
    private(set) var queryKeyValueOutputs: [UnsafeMutablePointer<Float>] = []
    private(set) var gateUpOutputs: [UnsafeMutablePointer<Float>] = []
    private(set) var projectedOutputs: [UnsafeMutablePointer<Float>] = []

    init(configuration c: ModelConfiguration, rowCapacity: Int, contextCapacity: Int, threadCount: Int) {
        self.rowCapacity = rowCapacity
        self.scoreCapacity = contextCapacity
        self.threadCount = threadCount
        var all: [UnsafeMutablePointer<Float>] = []
        func make(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            all.append(p)
            return p
        }
        hidden = make(rowCapacity * c.embeddingLength)
        normed = make(rowCapacity * max(c.embeddingLength, c.headCount * c.valueHeadDim))
        query = make(rowCapacity * c.queryWidth)
        key = make(rowCapacity * c.keyWidth)
        value = make(rowCapacity * c.valueWidth)
        attention = make(rowCapacity * c.headCount * c.valueHeadDim)
        projected = make(rowCapacity * c.embeddingLength)
        gate = make(rowCapacity * c.feedForwardLength)
        up = make(rowCapacity * c.feedForwardLength)
        scores = make(threadCount * contextCapacity * (c.headCount / max(c.kvHeadCount, 1)))
        self.all = all
        queryKeyValueOutputs = [query, key, value]
        gateUpOutputs = [gate, up]
        projectedOutputs = [projected]
    }

    deinit { for p in all { p.deallocate() } }
}
