import GGUF
import Kernels
import Tokenizers

/// A loaded decoder-only language model: configuration, memory-mapped weights, tokenizer and the
/// buffers its forward pass needs.
///
/// Not thread-safe: one forward pass at a time. Several sequences can share one pass through
/// `forward(_:logits:)` with rows from different caches.
public final class LanguageModel: @unchecked Sendable {
    public let configuration: ModelConfiguration
    public let tokenizer: Tokenizer
    public let file: GGUFFile
    public let vocabularySize: Int
    /// Tokens processed per internal chunk of a forward pass.
    public let batchCapacity: Int
    package let weights: ModelWeights
    /// Per-layer lists of the matrices that share an input, built once at load.
    let fusedQueryKeyValue: [[WeightMatrix]]
    let fusedGateUp: [[WeightMatrix]]
    /// Per-layer one-element lists of the attention output and down projections (for `project`).
    let outputProjection: [[WeightMatrix]]
    let downProjection: [[WeightMatrix]]
    /// Adapter grouping of the chunk being run.
    let loraBatch = LoRABatch()
    package let pool: ThreadPool
    package let scratch = MatMulScratch()
    var buffers: ForwardBuffers
    /// Gathered final hidden states of rows that want logits.
    var logitInputs: UnsafeMutablePointer<Float>
    private var logitStorage: UnsafeMutablePointer<Float>
    private var logitCapacity: Int

    init(file: GGUFFile, configuration: ModelConfiguration, tokenizer: Tokenizer, threads: Int, batchCapacity: Int = 512) throws(EngineError) {
        try configuration.validate()
        self.file = file
        self.configuration = configuration
        self.tokenizer = tokenizer
        let weights = try ModelWeights(gguf: file, configuration: configuration)
        self.weights = weights
        self.fusedQueryKeyValue = weights.layers.map(\.queryKeyValue)
        self.fusedGateUp = weights.layers.map(\.gateUp)
        self.outputProjection = weights.layers.map { [$0.output] }
        self.downProjection = weights.layers.map { [$0.down] }
        self.vocabularySize = weights.outputHead.rows
        self.batchCapacity = batchCapacity
        self.pool = ThreadPool(threadCount: max(1, threads))
        self.buffers = ForwardBuffers(configuration: configuration, rowCapacity: batchCapacity, contextCapacity: 1, threadCount: pool.threadCount)
        self.logitInputs = .allocate(capacity: batchCapacity * configuration.embeddingLength)
        self.logitCapacity = vocabularySize
        self.logitStorage = .allocate(capacity: vocabularySize)
    }

    deinit {
        logitInputs.deallocate()
        logitStorage.deallocate()
    }

    public var threadCount: Int { pool.threadCount }

    /// A new empty cache for one sequence of up to `capacity` tokens.
    public func makeCache(capacity: Int) -> KVCache {
        let capacity = max(1, capacity)
        if capacity > buffers.scoreCapacity {
            buffers = ForwardBuffers(configuration: configuration, rowCapacity: batchCapacity, contextCapacity: capacity, threadCount: pool.threadCount)
        }
        return KVCache(configuration: configuration, capacity: capacity)
    }

    /// Runs `rows` through the model, writing each row's key/value into its cache, and returns the
    /// logits of the rows with `wantsLogits` set, in row order. The returned view points into a
    /// buffer owned by the model and is valid until the next call.
    ///
    /// Rows of one sequence must have consecutive positions, the first at its cache's `count`.
    public func forward(_ rows: [BatchRow]) throws(EngineError) -> Logits {
        var wantedTotal = 0
        for row in rows {
            guard row.token >= 0, Int(row.token) < weights.tokenEmbedding.rows else {
                throw .invalidArgument("token id \(row.token) is outside the vocabulary (0..<\(weights.tokenEmbedding.rows))")
            }
            guard row.position >= 0, row.position < row.cache.capacity else {
                throw .contextOverflow(needed: row.position + 1, capacity: row.cache.capacity)
            }
            guard row.cache.capacity <= buffers.scoreCapacity, row.cache.layerCount == configuration.layerCount else {
                throw .invalidArgument("cache was not created by this model")
            }
            for entry in row.adapters.entries where entry.adapter.layerCount != configuration.layerCount
                || entry.adapter.architecture != configuration.architecture {
                throw .invalidArgument("adapter '\(entry.adapter.name)' was not made for this model")
            }
            if row.wantsLogits { wantedTotal += 1 }
        }
        if wantedTotal * vocabularySize > logitCapacity {
            logitStorage.deallocate()
            logitCapacity = wantedTotal * vocabularySize
            logitStorage = .allocate(capacity: logitCapacity)
        }
        var produced = 0
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + batchCapacity)
            let chunk = rows[start..<end]
            let wanted = runChunk(chunk)
            if wanted > 0 {
                MatMul.multiply(weights.outputHead, input: logitInputs, count: wanted,
                                output: logitStorage + produced * vocabularySize, pool: pool, scratch: scratch)
                produced += wanted
            }
            for row in chunk { row.cache.count = max(row.cache.count, row.position + 1) }
            start = end
        }
        return Logits(base: logitStorage, rowCount: produced, vocabularySize: vocabularySize)
    }
}

/// Logits of the rows a forward pass was asked for; valid until the model's next forward pass.
public struct Logits {
    let base: UnsafeMutablePointer<Float>
    public let rowCount: Int
    public let vocabularySize: Int

    /// The logits of the `index`-th requested row.
    public subscript(index: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(index >= 0 && index < rowCount)
        return UnsafeMutableBufferPointer(start: base + index * vocabularySize, count: vocabularySize)
    }
}
