import CKernels
import Engine
import Kernels

extension TrainingModel {
    /// Turns `dResidual` from ∂L/∂(layer output) into ∂L/∂(layer input), adding the layer's adapter gradients.
    /// `a` must hold this layer's forward activations for `input`.
    func backwardLayer(_ l: Int, input x: UnsafeMutablePointer<Float>, activations a: LayerActivations, layout: BatchLayout) {
        let s = shape, n = layout.rowCount, layer = weights.layers[l], c = configuration, t = transposes(of: l)
        // Feed-forward block: output = middle + post(down(act(gate, up))).
        var dDown = dResidual
        if let post = layer.postFeedForwardNorm, let pre = a.downPreNorm {
            normBackward(pre, post, dy: dResidual, rows: n, width: s.width, into: dTemporary, accumulate: false)
            dDown = dTemporary
        }
        gatedActivation(a.gate, a.up, rows: n, into: activated)
        backProject(t.down, [layer.down], targets: [.down], layer: l, dOutput: dDown, input: activated,
                    inputWidth: s.feedForward, rows: n, dInput: dActivated, activations: a)
        let ff = s.feedForward, gelu = c.activation == .gelu
        parallelRows(n) { r in
            Ops.gatedBackward(gelu: gelu, gate: a.gate + r * ff, up: a.up + r * ff, dAct: dActivated + r * ff, count: ff,
                              dGate: dGateUp + r * 2 * ff, dUp: dGateUp + r * 2 * ff + ff)
        }
        normalize(a.middle, layer.feedForwardNorm, rows: n, width: s.width, into: normed)
        backProject(t.gateUp, [layer.gate, layer.up], targets: [.gate, .up], layer: l, dOutput: dGateUp, input: normed,
                    inputWidth: s.width, rows: n, dInput: dNormed, activations: a)
        normBackward(a.middle, layer.feedForwardNorm, dy: dNormed, rows: n, width: s.width, into: dResidual, accumulate: true)

        // Attention block: middle = input + post(output(attention(rope(norm(q)), rope(norm(k)), v))).
        var dProjected = dResidual
        if let post = layer.postAttentionNorm, let pre = a.attentionPreNorm {
            normBackward(pre, post, dy: dResidual, rows: n, width: s.width, into: dTemporary, accumulate: false)
            dProjected = dTemporary
        }
        backProject(t.output, [layer.output], targets: [.output], layer: l, dOutput: dProjected, input: a.attention,
                    inputWidth: s.attentionWidth, rows: n, dInput: dAttention, activations: a)
        let stride = s.queryKeyValueWidth
        let dQuery = dQueryKeyValue, dKey = dQueryKeyValue + s.queryWidth, dValue = dQueryKeyValue + s.queryWidth + s.keyWidth
        timer.measure("attention backward") {
            CausalAttention.backward(q: a.query, k: a.key, v: a.value, o: a.attention, lse: a.logSumExp, dO: dAttention,
                                     dQ: dQuery, dQStride: stride, dK: dKey, dKStride: stride, dV: dValue, dVStride: stride,
                                     layout: layout, shape: attentionShape(layer: l), pool: pool, scratch: attentionScratch)
        }
        let base = c.isSlidingWindowLayer(l) ? c.ropeBaseSlidingWindow : c.ropeBase
        parallelRows(n) { r in
            Ops.rope(dQuery + r * stride, headCount: s.heads, headDim: s.headDim, dimensions: c.ropeDimensions,
                     position: layout.positions[r], base: base, neox: c.ropeStyle == .neox, inverse: true)
            Ops.rope(dKey + r * stride, headCount: s.kvHeads, headDim: s.headDim, dimensions: c.ropeDimensions,
                     position: layout.positions[r], base: base, neox: c.ropeStyle == .neox, inverse: true)
        }
        if let qn = layer.queryNorm, let kn = layer.keyNorm, let qPre = a.queryPreNorm, let kPre = a.keyPreNorm {
            let epsilon = c.normEpsilon, hd = s.headDim
            qn.withUnsafeBufferPointer { qw in
                kn.withUnsafeBufferPointer { kw in
                    parallelRows(n) { r in
                        for h in 0..<s.heads {
                            let dq = dQuery + r * stride + h * hd
                            Ops.rmsNormBackward(qPre + r * s.queryWidth + h * hd, weight: qw.baseAddress!, dy: dq, count: hd,
                                                epsilon: epsilon, dx: dq, accumulate: false)
                        }
                        for h in 0..<s.kvHeads {
                            let dk = dKey + r * stride + h * hd
                            Ops.rmsNormBackward(kPre + r * s.keyWidth + h * hd, weight: kw.baseAddress!, dy: dk, count: hd,
                                                epsilon: epsilon, dx: dk, accumulate: false)
                        }
                    }
                }
            }
        }
        normalize(x, layer.attentionNorm, rows: n, width: s.width, into: normed)
        backProject(t.queryKeyValue, [layer.query, layer.key, layer.value], targets: [.query, .key, .value], layer: l,
                    dOutput: dQueryKeyValue, input: normed, inputWidth: s.width, rows: n, dInput: dNormed, activations: a)
        normBackward(x, layer.attentionNorm, dy: dNormed, rows: n, width: s.width, into: dResidual, accumulate: true)
    }

    /// Backward of `outputs = stack·x + Σ s·B·A·x` for the stacked matrices `base` (sharing input `x`):
    /// `dOutput` holds the stack's output gradients side by side (rows of Σ outputs floats). Adds the
    /// adapters' dA and dBᵀ, and writes `dInput = dOutput·stack + Σ ∂L/∂(A·x)·A`.
    func backProject(_ transposed: TransposedStack, _ base: [WeightMatrix], targets: [LoRATarget], layer l: Int,
                     dOutput: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, inputWidth: Int, rows n: Int,
                     dInput: UnsafeMutablePointer<Float>, activations a: LayerActivations) {
        let stride = base.reduce(0) { $0 + $1.rows }
        var offsets: [Int] = []
        var running = 0
        for w in base { offsets.append(running); running += w.rows }
        var adapted: [(slot: LoRAParameterSet.Slot, dY: UnsafeMutablePointer<Float>, lowRank: UnsafeMutablePointer<Float>,
                       dLowRank: UnsafeMutablePointer<Float>)] = []
        for (m, target) in targets.enumerated() {
            guard let slot = parameters.slot(layer: l, target: target), let lowRank = a.lowRank[target.index] else { continue }
            adapted.append((slot, dOutput + offsets[m], lowRank, dLowRank + adapted.count * capacity * slot.rank))
        }
        let values = parameters.values, gradients = parameters.gradients, scale = parameters.scale
        if !adapted.isEmpty {
            // ∂L/∂(A·x)[t][k] = s · Σ_o dY[t][o] · B[o][k]: one product per target with s·B (outputs × rank,
            // transposed from the stored Bᵀ).
            timer.measure("backward LoRA dU") {
                for (slot, dY, _, dLowRank) in adapted {
                    let bT = values + slot.bT, b = scaledB
                    for k in 0..<slot.rank {
                        for o in 0..<slot.outputs { b[o * slot.rank + k] = scale * bT[k * slot.outputs + o] }
                    }
                    rowBlocks(n) { rows in
                        ck_sgemm(Int32(rows.count), Int32(slot.rank), Int32(slot.outputs), dY + rows.lowerBound * stride, stride,
                                 b, slot.rank, dLowRank + rows.lowerBound * slot.rank, slot.rank, 0, 0, 0)
                    }
                }
            }
            // dBᵀ += (s·A·x)ᵀ · dY and dA += (∂L/∂(A·x))ᵀ · x, each thread owning a range of columns (with
            // dropout, x is the same dropped-out copy the forward pass used).
            timer.measure("backward LoRA dA dB") {
                for (slot, dY, lowRank, dLowRank) in adapted {
                    var rows = x
                    if dropoutActive {
                        droppedInput(x, width: inputWidth, rows: n, layer: l, target: slot.target)
                        rows = UnsafePointer(dropped)
                    }
                    pool.run { t, threads in
                        let bColumns = (slot.outputs * t / threads)..<(slot.outputs * (t + 1) / threads)
                        Ops.accumulateOuter(count: n, rank: slot.rank, coefficients: lowRank, coefficientStride: slot.rank,
                                            rows: dY, rowStride: stride, columns: bColumns,
                                            output: gradients + slot.bT, outputStride: slot.outputs)
                        let aColumns = (slot.inputs * t / threads)..<(slot.inputs * (t + 1) / threads)
                        Ops.accumulateOuter(count: n, rank: slot.rank, coefficients: dLowRank, coefficientStride: slot.rank,
                                            rows: rows, rowStride: inputWidth, columns: aColumns,
                                            output: gradients + slot.a, outputStride: slot.inputs)
                    }
                }
            }
        }
        let matrix = timer.measure("backward transposes") { transposed.build(base, pool: pool) }
        timer.measure("backward products") {
            MatMul.multiply(matrix, input: dOutput, count: n, output: dInput, pool: pool, scratch: scratch)
        }
        if !adapted.isEmpty {
            timer.measure("backward LoRA dX") {
                if dropoutActive {
                    // dX += mask ∘ (∂L/∂(A·x̃))·A / (1 − p), one target at a time.
                    for (slot, _, _, dLowRank) in adapted {
                        dropped.update(repeating: 0, count: n * inputWidth)
                        parallelRows(n) { r in
                            Ops.addLowRank(coefficients: dLowRank + r * slot.rank, rank: slot.rank, bTransposed: values + slot.a,
                                           stride: slot.inputs, range: 0..<slot.inputs, output: dropped + r * inputWidth)
                        }
                        let mask = dropout
                        pool.run { t, threads in
                            mask.apply(dropped, width: inputWidth, rows: (n * t / threads)..<(n * (t + 1) / threads), layer: l, target: slot.target)
                        }
                        Ops.add(dInput, dropped, count: n * inputWidth, output: dInput)
                    }
                    return
                }
                for (slot, _, _, dLowRank) in adapted {
                    rowBlocks(n) { rows in
                        ck_sgemm(Int32(rows.count), Int32(slot.inputs), Int32(slot.rank), dLowRank + rows.lowerBound * slot.rank, slot.rank,
                                 values + slot.a, slot.inputs, dInput + rows.lowerBound * inputWidth, inputWidth, 1, 0, 0)
                    }
                }
            }
        }
    }

    /// RMSNorm backward over rows: `into = (accumulate ? into : 0) + ∂norm(x)/∂x · dy`.
    func normBackward(_ x: UnsafePointer<Float>, _ weight: [Float], dy: UnsafePointer<Float>, rows: Int, width: Int,
                      into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let epsilon = configuration.normEpsilon
        weight.withUnsafeBufferPointer { w in
            let wp = w.baseAddress!
            parallelRows(rows) { r in
                Ops.rmsNormBackward(x + r * width, weight: wp, dy: dy + r * width, count: width, epsilon: epsilon,
                                    dx: out + r * width, accumulate: accumulate)
            }
        }
    }
}
