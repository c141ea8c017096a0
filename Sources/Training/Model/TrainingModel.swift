import Engine
import Foundation
import Kernels

/// Forward and backward passes of a decoder with a trainable LoRA adapter on a frozen base: the loss
/// of a micro-batch and its gradient with respect to every A and B.
///
/// Memory is bounded by `activationBudget`: the first layers that fit keep everything their backward pass
/// needs; the rest keep only their input and recompute the rest from it, one layer at a time, during the
/// backward pass. The base's transposed matrices for the backward products are kept for the whole run when
/// they fit `transposeBudget`, else built one layer at a time in every backward pass.
final class TrainingModel: @unchecked Sendable {
    let model: LanguageModel
    let weights: TrainingWeights
    let parameters: LoRAParameterSet
    let configuration: ModelConfiguration
    let shape: TrainingShape
    let pool: ThreadPool
    let scratch: MatMulScratch
    /// Most rows (tokens) one micro-batch may hold.
    let capacity: Int
    /// Layers `0..<storedLayers` keep their activations; the others recompute them.
    let storedLayers: Int
    let activations: [LayerActivations]
    /// The residual stream entering each layer, and (last) leaving the final one.
    let inputs: [UnsafeMutablePointer<Float>]
    // Workspace shared by all layers.
    let normed: UnsafeMutablePointer<Float>
    let activated: UnsafeMutablePointer<Float>
    let recomputed: UnsafeMutablePointer<Float>
    let dResidual: UnsafeMutablePointer<Float>
    let dTemporary: UnsafeMutablePointer<Float>
    let dNormed: UnsafeMutablePointer<Float>
    let dQueryKeyValue: UnsafeMutablePointer<Float>
    let dAttention: UnsafeMutablePointer<Float>
    let dGateUp: UnsafeMutablePointer<Float>
    let dActivated: UnsafeMutablePointer<Float>
    /// ∂L/∂(A·x) of up to three targets of one stacked product.
    let dLowRank: UnsafeMutablePointer<Float>
    /// s·B (outputs × rank) of one target, for ∂L/∂(A·x).
    let scaledB: UnsafeMutablePointer<Float>
    /// One set per layer when they fit `transposeBudget` (kept across steps), else one shared set.
    let transposes: [LayerTransposes]
    let attentionScratch = CausalAttention.Scratch()
    /// Dropout on the adapters' input during gradient passes (off by default).
    var dropout = LoRADropout(probability: 0, key: 0)
    /// True while `run` computes gradients (dropout applies only then).
    var gradientPass = false
    /// The adapter's dropped-out input, or its masked gradient, for one target at a time.
    let dropped: UnsafeMutablePointer<Float>
    /// Per-phase timings (`GROUPQWEN_TRAIN_PROFILE=1`).
    let timer = PhaseTimer()
    /// Rows of the loss head processed together: as many as keep the logits within 128 MB (32 to 256), so the
    /// head's weights are streamed once per chunk, not once per row.
    let headChunk: Int
    let headInput: UnsafeMutablePointer<Float>
    let headLogits: UnsafeMutablePointer<Float>
    let headGradient: UnsafeMutablePointer<Float>
    let headBackward: HeadGradient
    private var owned: [UnsafeMutablePointer<Float>] = []

    /// - Parameters:
    ///   - exact: F32 copies of every base matrix (smooth loss, for gradient checks).
    ///   - layerLimit: train on the first layers only (a slice of a real model).
    ///   - activationBudget: bytes of stored activations before layers switch to recomputation.
    ///   - transposeBudget: bytes the transposed base matrices of all layers may keep for the whole run.
    init(model: LanguageModel, parameters: LoRAParameterSet, exact: Bool = false, layerLimit: Int? = nil,
         slidingWindow: Int? = nil, capacity: Int, activationBudget: Int = 768 << 20, transposeBudget: Int = 256 << 20) {
        self.model = model
        self.weights = TrainingWeights(model: model, exact: exact, layerLimit: layerLimit, slidingWindow: slidingWindow)
        let c = weights.configuration
        self.configuration = c
        self.parameters = parameters
        self.pool = model.pool
        self.scratch = model.scratch
        self.capacity = capacity
        let s = TrainingShape(width: c.embeddingLength, heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim,
                              valueDim: c.valueHeadDim, feedForward: c.feedForwardLength, hasQKNorm: c.hasQKNorm,
                              hasPostNorms: c.hasPostNorms)
        self.shape = s
        let adapted = LoRATarget.allCases.map { parameters.targets.contains($0) }
        let perLayer = LayerActivations.bytesPerRow(s, rank: parameters.rank, targets: parameters.targets.count) * capacity
        let stored = min(c.layerCount, max(0, activationBudget / max(perLayer, 1)))
        self.storedLayers = stored
        var activations = (0..<stored).map { _ in LayerActivations(shape: s, rows: capacity, rank: parameters.rank, targets: adapted) }
        if stored < c.layerCount {
            activations.append(LayerActivations(shape: s, rows: capacity, rank: parameters.rank, targets: adapted))
        }
        self.activations = activations
        var owned: [UnsafeMutablePointer<Float>] = []
        func make(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
            p.initialize(repeating: 0, count: max(1, count))
            owned.append(p)
            return p
        }
        inputs = (0...c.layerCount).map { _ in make(capacity * s.width) }
        normed = make(capacity * max(s.width, s.attentionWidth))
        activated = make(capacity * s.feedForward)
        recomputed = make(capacity * s.width)
        dResidual = make(capacity * s.width)
        dTemporary = make(capacity * s.width)
        dNormed = make(capacity * max(s.width, s.attentionWidth))
        dQueryKeyValue = make(capacity * s.queryKeyValueWidth)
        dAttention = make(capacity * s.attentionWidth)
        dGateUp = make(capacity * 2 * s.feedForward)
        dActivated = make(capacity * s.feedForward)
        dLowRank = make(3 * capacity * parameters.rank)
        scaledB = make(max(s.queryKeyValueWidth, 2 * s.feedForward, s.width) * parameters.rank)
        dropped = make(capacity * max(s.width, s.feedForward, s.attentionWidth))
        let vocabulary = weights.outputHead.rows
        headChunk = min(256, max(32, (128 << 20) / (4 * vocabulary)))
        headInput = make(headChunk * s.width)
        headLogits = make(headChunk * vocabulary)
        headGradient = make(headChunk * s.width)
        headBackward = HeadGradient(head: weights.outputHead, rows: headChunk, threads: model.pool.threadCount)
        self.owned = owned
        let transposeBytes = weights.layers.reduce(0) { $0 + LayerTransposes.byteCount(of: $1, exact: exact) }
        transposes = transposeBytes <= transposeBudget
            ? weights.layers.map { _ in LayerTransposes(exact: exact, keepsBuilt: true) }
            : [LayerTransposes(exact: exact, keepsBuilt: false)]
    }

    deinit { owned.forEach { $0.deallocate() } }

    /// The activations of `layer` (its own, or the shared set it recomputes into).
    func activations(of layer: Int) -> LayerActivations {
        layer < storedLayers ? activations[layer] : activations[storedLayers]
    }

    /// The transposes `layer`'s backward pass uses.
    func transposes(of layer: Int) -> LayerTransposes {
        transposes.count > 1 ? transposes[layer] : transposes[0]
    }

    /// Runs `body(rows)` on the pool for consecutive blocks of `0..<count`, cut at multiples of 6 (the float
    /// product's register tile) so every thread's tiles are full.
    func rowBlocks(_ count: Int, _ body: (Range<Int>) -> Void) {
        pool.run { t, n in
            let tiles = (count + 5) / 6
            let start = min(count, tiles * t / n * 6), end = min(count, tiles * (t + 1) / n * 6)
            if start < end { body(start..<end) }
        }
    }

    /// Runs `body(row)` for rows `0..<count` split over the pool's threads.
    func parallelRows(_ count: Int, _ body: (Int) -> Void) {
        pool.run { t, n in
            var row = count * t / n
            let end = count * (t + 1) / n
            while row < end { body(row); row += 1 }
        }
    }
}
