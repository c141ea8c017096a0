import GGUF
import Kernels

/// One transformer block's tensors, pointing into the memory-mapped file.
package struct LayerWeights: @unchecked Sendable {
    package var attentionNorm: [Float]
    package var query: WeightMatrix
    package var key: WeightMatrix
    package var value: WeightMatrix
    package var output: WeightMatrix
    package var queryBias: [Float]?
    package var keyBias: [Float]?
    package var valueBias: [Float]?
    package var queryNorm: [Float]?
    package var keyNorm: [Float]?
    package var postAttentionNorm: [Float]?
    package var feedForwardNorm: [Float]
    package var gate: WeightMatrix
    package var up: WeightMatrix
    package var down: WeightMatrix
    package var postFeedForwardNorm: [Float]?

    /// Q, K and V, which share their input (one fused product per layer).
    package var queryKeyValue: [WeightMatrix] { [query, key, value] }
    /// Gate and up projections, which share their input.
    package var gateUp: [WeightMatrix] { [gate, up] }
}

/// All tensors of a decoder-only model. Matrices stay in the mapping; only norms and biases
/// (a few KB per layer) are copied out as F32.
package struct ModelWeights: @unchecked Sendable {
    package var tokenEmbedding: WeightMatrix
    package var outputNorm: [Float]
    /// The output head: `output.weight`, or the token embedding when the model ties them.
    package var outputHead: WeightMatrix
    package var layers: [LayerWeights]

    init(gguf: GGUFFile, configuration c: ModelConfiguration) throws(EngineError) {
        let loader = TensorLoader(gguf: gguf)
        tokenEmbedding = try loader.matrix("token_embd.weight", rows: nil, columns: c.embeddingLength)
        outputNorm = try loader.vector("output_norm.weight", count: c.embeddingLength)
        if gguf.tensor("output.weight") != nil {
            outputHead = try loader.matrix("output.weight", rows: tokenEmbedding.rows, columns: c.embeddingLength)
        } else {
            outputHead = tokenEmbedding
        }
        var layers: [LayerWeights] = []
        for i in 0..<c.layerCount {
            func name(_ s: String) -> String { "blk.\(i).\(s)" }
            layers.append(LayerWeights(
                attentionNorm: try loader.vector(name("attn_norm.weight"), count: c.embeddingLength),
                query: try loader.matrix(name("attn_q.weight"), rows: c.queryWidth, columns: c.embeddingLength),
                key: try loader.matrix(name("attn_k.weight"), rows: c.keyWidth, columns: c.embeddingLength),
                value: try loader.matrix(name("attn_v.weight"), rows: c.valueWidth, columns: c.embeddingLength),
                output: try loader.matrix(name("attn_output.weight"), rows: c.embeddingLength, columns: c.headCount * c.valueHeadDim),
                queryBias: try loader.optionalVector(name("attn_q.bias"), count: c.queryWidth),
                keyBias: try loader.optionalVector(name("attn_k.bias"), count: c.keyWidth),
                valueBias: try loader.optionalVector(name("attn_v.bias"), count: c.valueWidth),
                queryNorm: c.hasQKNorm ? try loader.vector(name("attn_q_norm.weight"), count: c.headDim) : nil,
                keyNorm: c.hasQKNorm ? try loader.vector(name("attn_k_norm.weight"), count: c.headDim) : nil,
                postAttentionNorm: c.hasPostNorms ? try loader.vector(name("post_attention_norm.weight"), count: c.embeddingLength) : nil,
                feedForwardNorm: try loader.vector(name("ffn_norm.weight"), count: c.embeddingLength),
                gate: try loader.matrix(name("ffn_gate.weight"), rows: c.feedForwardLength, columns: c.embeddingLength),
                up: try loader.matrix(name("ffn_up.weight"), rows: c.feedForwardLength, columns: c.embeddingLength),
                down: try loader.matrix(name("ffn_down.weight"), rows: c.embeddingLength, columns: c.feedForwardLength),
                postFeedForwardNorm: c.hasPostNorms ? try loader.vector(name("post_ffw_norm.weight"), count: c.embeddingLength) : nil
            ))
        }
        self.layers = layers
    }
}

/// Resolves named tensors into kernel views, checking shapes and types.
struct TensorLoader {
    let gguf: GGUFFile

    func matrix(_ name: String, rows: Int?, columns: Int) throws(EngineError) -> WeightMatrix {
        let info: TensorInfo
        do { info = try gguf.requireTensor(name) } catch { throw .file(error) }
        guard info.shape.count == 2, info.shape[0] == columns, rows == nil || info.shape[1] == rows else {
            throw .invalidModel("tensor '\(name)' has shape \(info.shape), expected [\(columns), \(rows.map(String.init) ?? "?")]")
        }
        guard info.type.isSupportedByKernels else { throw .unsupportedTensorType(tensor: name, type: info.type.description) }
        do {
            return try WeightMatrix(type: info.type, rows: info.shape[1], columns: columns, data: gguf.data(of: info))
        } catch {
            throw .unsupportedTensorType(tensor: name, type: info.type.description)
        }
    }

    func vector(_ name: String, count: Int) throws(EngineError) -> [Float] {
        guard let v = try optionalVector(name, count: count) else { throw .file(.missingTensor(name)) }
        return v
    }

    func optionalVector(_ name: String, count: Int) throws(EngineError) -> [Float]? {
        guard let info = gguf.tensor(name) else { return nil }
        guard info.elementCount == count else {
            throw .invalidModel("tensor '\(name)' has \(info.elementCount) elements, expected \(count)")
        }
        guard info.type.isSupportedByKernels else { throw .unsupportedTensorType(tensor: name, type: info.type.description) }
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { Dequantize.row(info.type, from: gguf.data(of: info), count: count, into: $0.baseAddress!) }
        return out
    }
}
