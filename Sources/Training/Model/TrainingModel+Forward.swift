import CKernels
import Engine
import Kernels

extension TrainingModel {
    /// Token embeddings of every row into `inputs[0]` (scaled by √width for Gemma).
    func embed(_ layout: BatchLayout) {
        let table = weights.tokenEmbedding, d = shape.width
        let scale: Float = configuration.scalesEmbedding ? Float(d).squareRoot() : 1
        parallelRows(layout.rowCount) { r in
            let dst = inputs[0] + r * d
            Dequantize.row(table.type, from: table.data + Int(layout.tokens[r]) * table.bytesPerRow, count: d, into: dst)
            if scale != 1 { Ops.scale(dst, by: scale, count: d) }
        }
    }

    /// One layer: `output = layer(input)`, saving what the backward pass needs in `a`.
    func forwardLayer(_ l: Int, input x: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                      activations a: LayerActivations, layout: BatchLayout) {
        let c = configuration, s = shape, n = layout.rowCount, layer = weights.layers[l]
        // Attention block.
        normalize(x, layer.attentionNorm, rows: n, width: s.width, into: normed)
        project([layer.query, layer.key, layer.value], targets: [.query, .key, .value], layer: l, input: normed, rows: n,
                outputs: [a.query, a.key, a.value], activations: a, inputWidth: s.width)
        addBias(layer.queryBias, to: a.query, rows: n)
        addBias(layer.keyBias, to: a.key, rows: n)
        addBias(layer.valueBias, to: a.value, rows: n)
        if let qn = layer.queryNorm, let kn = layer.keyNorm, let qPre = a.queryPreNorm, let kPre = a.keyPreNorm {
            qPre.update(from: a.query, count: n * s.queryWidth)
            kPre.update(from: a.key, count: n * s.keyWidth)
            normalize(a.query, qn, rows: n * s.heads, width: s.headDim, into: a.query)
            normalize(a.key, kn, rows: n * s.kvHeads, width: s.headDim, into: a.key)
        }
        let sliding = c.isSlidingWindowLayer(l)
        let base = sliding ? c.ropeBaseSlidingWindow : c.ropeBase
        parallelRows(n) { r in
            Ops.rope(a.query + r * s.queryWidth, headCount: s.heads, headDim: s.headDim, dimensions: c.ropeDimensions,
                     position: layout.positions[r], base: base, neox: c.ropeStyle == .neox)
            Ops.rope(a.key + r * s.keyWidth, headCount: s.kvHeads, headDim: s.headDim, dimensions: c.ropeDimensions,
                     position: layout.positions[r], base: base, neox: c.ropeStyle == .neox)
        }
        timer.measure("attention forward") {
            CausalAttention.forward(q: a.query, k: a.key, v: a.value, o: a.attention, lse: a.logSumExp, layout: layout,
                                    shape: attentionShape(layer: l), pool: pool, scratch: attentionScratch)
        }
        let projected = a.attentionPreNorm ?? recomputed
        project([layer.output], targets: [.output], layer: l, input: a.attention, rows: n, outputs: [projected], activations: a,
                inputWidth: s.attentionWidth)
        if let post = layer.postAttentionNorm {
            normalize(projected, post, rows: n, width: s.width, into: recomputed)
            Ops.add(x, recomputed, count: n * s.width, output: a.middle)
        } else {
            Ops.add(x, projected, count: n * s.width, output: a.middle)
        }
        // Feed-forward block.
        normalize(a.middle, layer.feedForwardNorm, rows: n, width: s.width, into: normed)
        project([layer.gate, layer.up], targets: [.gate, .up], layer: l, input: normed, rows: n, outputs: [a.gate, a.up],
                activations: a, inputWidth: s.width)
        gatedActivation(a.gate, a.up, rows: n, into: activated)
        let down = a.downPreNorm ?? recomputed
        project([layer.down], targets: [.down], layer: l, input: activated, rows: n, outputs: [down], activations: a,
                inputWidth: s.feedForward)
        if let post = layer.postFeedForwardNorm {
            normalize(down, post, rows: n, width: s.width, into: recomputed)
            Ops.add(a.middle, recomputed, count: n * s.width, output: output)
        } else {
            Ops.add(a.middle, down, count: n * s.width, output: output)
        }
    }

    func attentionShape(layer l: Int) -> CausalAttention.Shape {
        CausalAttention.Shape(heads: shape.heads, kvHeads: shape.kvHeads, headDim: shape.headDim, valueDim: shape.valueDim,
                              scale: configuration.attentionScale,
                              window: configuration.isSlidingWindowLayer(l) ? configuration.slidingWindow : 0)
    }

    /// outputs[m] = base[m]·x, plus s·B·(A·x) for the adapted targets; the adapters' A products ride in the
    /// same dispatch as the base products, and s·A·x is kept in `activations.lowRank` for the gradients.
    func project(_ base: [WeightMatrix], targets: [LoRATarget], layer l: Int, input: UnsafePointer<Float>, rows n: Int,
                 outputs: [UnsafeMutablePointer<Float>], activations a: LayerActivations, inputWidth: Int) {
        var matrices = base, buffers = outputs
        var adapted: [(slot: LoRAParameterSet.Slot, lowRank: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>)] = []
        for (m, target) in targets.enumerated() {
            guard let slot = parameters.slot(layer: l, target: target), let lowRank = a.lowRank[target.index] else { continue }
            adapted.append((slot, lowRank, outputs[m]))
            if !dropoutActive {
                matrices.append(parameters.aMatrix(slot))
                buffers.append(lowRank)
            }
        }
        timer.measure("forward products") {
            MatMul.multiply(matrices, input: input, count: n, outputs: buffers, pool: pool, scratch: scratch)
        }
        guard !adapted.isEmpty else { return }
        if dropoutActive {
            // With dropout each target sees its own dropped-out copy of the input.
            for (slot, lowRank, _) in adapted {
                droppedInput(input, width: inputWidth, rows: n, layer: l, target: slot.target)
                MatMul.multiply(parameters.aMatrix(slot), input: dropped, count: n, output: lowRank, pool: pool, scratch: scratch)
            }
        }
        let scale = parameters.scale, values = parameters.values
        timer.measure("forward LoRA B") {
            for (slot, lowRank, output) in adapted {
                rowBlocks(n) { rows in
                    let u = lowRank + rows.lowerBound * slot.rank
                    Ops.scale(u, by: scale, count: rows.count * slot.rank)
                    ck_sgemm(Int32(rows.count), Int32(slot.outputs), Int32(slot.rank), u, slot.rank, values + slot.bT, slot.outputs,
                             output + rows.lowerBound * slot.outputs, slot.outputs, 1, 0, 0)
                }
            }
        }
    }

    /// Whether this pass drops out adapter inputs (gradient passes with `dropout` > 0).
    var dropoutActive: Bool { dropout.isActive && gradientPass }

    /// `dropped = dropout(x)` for one target of one layer (the same mask in the forward and backward passes).
    func droppedInput(_ x: UnsafePointer<Float>, width: Int, rows n: Int, layer: Int, target: LoRATarget) {
        dropped.update(from: x, count: n * width)
        let mask = dropout
        pool.run { t, threads in
            mask.apply(dropped, width: width, rows: (n * t / threads)..<(n * (t + 1) / threads), layer: layer, target: target)
        }
    }

    /// RMS-normalises `rows` rows of `width` floats with `weight` (in place when `out` is `x`).
    func normalize(_ x: UnsafeMutablePointer<Float>, _ weight: [Float], rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        let epsilon = configuration.normEpsilon
        weight.withUnsafeBufferPointer { w in
            let wp = w.baseAddress!
            parallelRows(rows) { r in Ops.rmsNorm(x + r * width, weight: wp, count: width, epsilon: epsilon, output: out + r * width) }
        }
    }

    func addBias(_ bias: [Float]?, to x: UnsafeMutablePointer<Float>, rows: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { b in
            for r in 0..<rows { Ops.add(x + r * b.count, b.baseAddress!, count: b.count, output: x + r * b.count) }
        }
    }

    func gatedActivation(_ gate: UnsafePointer<Float>, _ up: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        let ff = shape.feedForward, gelu = configuration.activation == .gelu
        parallelRows(rows) { r in
            if gelu {
                Ops.geglu(gate: gate + r * ff, up: up + r * ff, count: ff, output: out + r * ff)
            } else {
                Ops.swiglu(gate: gate + r * ff, up: up + r * ff, count: ff, output: out + r * ff)
            }
        }
    }
}
