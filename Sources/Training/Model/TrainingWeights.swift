import Engine
import GGUF
import Kernels

/// The frozen base model as the trainer sees it: the engine's memory-mapped matrices as they are in the
/// file (QLoRA-style: nothing is dequantized), its norms and biases.
///
/// `exact` replaces every matrix with an F32 copy, so every product is float and the loss is a smooth
/// function of the adapter (gradient checks use it on small models and slices). `layerLimit` keeps only
/// the first layers (a slice of a real model).
final class TrainingWeights: @unchecked Sendable {
    let configuration: ModelConfiguration
    let exact: Bool
    let layers: [LayerWeights]
    let tokenEmbedding: WeightMatrix
    let outputNorm: [Float]
    let outputHead: WeightMatrix
    private var owned: [UnsafeMutableRawPointer] = []

    /// - Parameter slidingWindow: replaces the model's sliding-window size (tests use a short window so a
    ///   short sequence exercises the mask).
    init(model: LanguageModel, exact: Bool, layerLimit: Int? = nil, slidingWindow: Int? = nil) {
        var c = model.configuration
        if let slidingWindow { c.slidingWindow = slidingWindow }
        let base = model.weights
        let count = min(layerLimit ?? c.layerCount, c.layerCount)
        c.layerCount = count
        self.configuration = c
        self.exact = exact
        var owned: [UnsafeMutableRawPointer] = []
        func copy(_ w: WeightMatrix) -> WeightMatrix {
            guard exact, w.type != .f32 else { return w }
            let p = UnsafeMutableRawPointer.allocate(byteCount: w.rows * w.columns * 4, alignment: 64)
            owned.append(p)
            let f = p.assumingMemoryBound(to: Float.self)
            for r in 0..<w.rows { Dequantize.row(w.type, from: w.row(r), count: w.columns, into: f + r * w.columns) }
            return try! WeightMatrix(type: .f32, rows: w.rows, columns: w.columns, data: UnsafeRawPointer(p))
        }
        layers = base.layers.prefix(count).map { layer in
            var l = layer
            l.query = copy(layer.query)
            l.key = copy(layer.key)
            l.value = copy(layer.value)
            l.output = copy(layer.output)
            l.gate = copy(layer.gate)
            l.up = copy(layer.up)
            l.down = copy(layer.down)
            return l
        }
        tokenEmbedding = base.tokenEmbedding
        outputNorm = base.outputNorm
        outputHead = copy(base.outputHead)
        self.owned = owned
    }

    deinit { owned.forEach { $0.deallocate() } }
}
