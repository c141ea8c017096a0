import Kernels

extension LanguageModel {
    /// Runs one chunk (≤ batchCapacity rows) through every layer; gathers the final normalised
    /// hidden state of each row that wants logits into `logitInputs` and returns their number.
    func runChunk(_ rows: ArraySlice<BatchRow>) -> Int {
        let c = configuration
        let b = buffers
        let n = rows.count
        let d = c.embeddingLength
        let embedScale = c.scalesEmbedding ? Float(d).squareRoot() : 1
        loraBatch.prepare(rows)

        // Token embeddings: one dequantised row of the embedding matrix per token.
        let table = weights.tokenEmbedding
        for (i, row) in rows.enumerated() {
            let dst = b.hidden + i * d
            Dequantize.row(table.type, from: table.data + Int(row.token) * table.bytesPerRow, count: d, into: dst)
            if embedScale != 1 { Ops.scale(dst, by: embedScale, count: d) }
        }

        for (layerIndex, layer) in weights.layers.enumerated() {
            // Attention block.
            normalize(b.hidden, weight: layer.attentionNorm, rows: n, width: d, into: b.normed)
            project(fusedQueryKeyValue[layerIndex], targets: Self.queryKeyValueTargets, layer: layerIndex,
                    input: b.normed, count: n, outputs: b.queryKeyValueOutputs)
            addBias(layer.queryBias, to: b.query, rows: n)
            addBias(layer.keyBias, to: b.key, rows: n)
            addBias(layer.valueBias, to: b.value, rows: n)
            if let qn = layer.queryNorm, let kn = layer.keyNorm {
                normalize(b.query, weight: qn, rows: n * c.headCount, width: c.headDim, into: b.query)
                normalize(b.key, weight: kn, rows: n * c.kvHeadCount, width: c.headDim, into: b.key)
            }
            let sliding = c.isSlidingWindowLayer(layerIndex)
            let base = sliding ? c.ropeBaseSlidingWindow : c.ropeBase
            for (i, row) in rows.enumerated() {
                Ops.rope(b.query + i * c.queryWidth, headCount: c.headCount, headDim: c.headDim, dimensions: c.ropeDimensions,
                         position: row.position, base: base, neox: c.ropeStyle == .neox)
                Ops.rope(b.key + i * c.keyWidth, headCount: c.kvHeadCount, headDim: c.headDim, dimensions: c.ropeDimensions,
                         position: row.position, base: base, neox: c.ropeStyle == .neox)
                let cache = row.cache
                (cache.keys(layer: layerIndex) + row.position * c.keyWidth).update(from: b.key + i * c.keyWidth, count: c.keyWidth)
                (cache.values(layer: layerIndex) + row.position * c.valueWidth).update(from: b.value + i * c.valueWidth, count: c.valueWidth)
            }
            attend(rows, layer: layerIndex, window: sliding ? c.slidingWindow : 0)
            project(outputProjection[layerIndex], targets: Self.outputTargets, layer: layerIndex,
                    input: b.attention, count: n, outputs: b.projectedOutputs)
            if let post = layer.postAttentionNorm {
                normalize(b.projected, weight: post, rows: n, width: d, into: b.projected)
            }
            Ops.add(b.hidden, b.projected, count: n * d, output: b.hidden)

            // Feed-forward block.
            normalize(b.hidden, weight: layer.feedForwardNorm, rows: n, width: d, into: b.normed)
            project(fusedGateUp[layerIndex], targets: Self.gateUpTargets, layer: layerIndex,
                    input: b.normed, count: n, outputs: b.gateUpOutputs)
            switch c.activation {
            case .silu: Ops.swiglu(gate: b.gate, up: b.up, count: n * c.feedForwardLength, output: b.gate)
            case .gelu: Ops.geglu(gate: b.gate, up: b.up, count: n * c.feedForwardLength, output: b.gate)
            }
            project(downProjection[layerIndex], targets: Self.downTargets, layer: layerIndex,
                    input: b.gate, count: n, outputs: b.projectedOutputs)
            if let post = layer.postFeedForwardNorm {
                normalize(b.projected, weight: post, rows: n, width: d, into: b.projected)
            }
            Ops.add(b.hidden, b.projected, count: n * d, output: b.hidden)
        }

        var wanted = 0
        for (i, row) in rows.enumerated() where row.wantsLogits {
            Ops.rmsNorm(b.hidden + i * d, weight: weights.outputNorm, count: d, epsilon: c.normEpsilon, output: logitInputs + wanted * d)
            wanted += 1
        }
        return wanted
    }

    /// RMS-normalises `rows` rows of `width` floats with `weight`.
    private func normalize(_ x: UnsafeMutablePointer<Float>, weight: [Float], rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        weight.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                Ops.rmsNorm(x + r * width, weight: w.baseAddress!, count: width, epsilon: configuration.normEpsilon, output: out + r * width)
            }
        }
    }

    private func addBias(_ bias: [Float]?, to x: UnsafeMutablePointer<Float>, rows: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { bp in
            for r in 0..<rows { Ops.add(x + r * bp.count, bp.baseAddress!, count: bp.count, output: x + r * bp.count) }
        }
    }
}
