import CKernels
import Engine
import Foundation
import Kernels

extension TrainingModel {
    /// Loss of a micro-batch and (with `gradients`) the adapter gradients it adds.
    struct MicroBatchResult {
        /// Σ over target tokens of weight × cross-entropy (nats).
        var lossSum: Double
        /// Σ of the target tokens' weights (the loss divisor).
        var weightSum: Double
        var targetTokens: Int
        var tokens: Int
    }

    /// Forward pass, loss and — when `gradients` — the backward pass, adding ∂(lossSum)/∂θ to
    /// `parameters.gradients` (not normalised: the caller divides by the step's total weight).
    func run(_ layout: BatchLayout, gradients: Bool) -> MicroBatchResult {
        precondition(layout.rowCount <= capacity, "micro-batch of \(layout.rowCount) rows exceeds the capacity \(capacity)")
        let layers = configuration.layerCount
        gradientPass = gradients
        defer { gradientPass = false }
        timer.measure("embeddings") { embed(layout) }
        for l in 0..<layers {
            let a = gradients ? activations(of: l) : activations[0]
            timer.measure("forward layers") {
                forwardLayer(l, input: inputs[l], output: inputs[l + 1], activations: a, layout: layout)
            }
        }
        let loss = timer.measure("loss head") { headLoss(layout, gradients: gradients) }
        if gradients {
            for l in stride(from: layers - 1, through: 0, by: -1) {
                let a = activations(of: l)
                if l >= storedLayers {
                    timer.measure("recompute layers") {
                        forwardLayer(l, input: inputs[l], output: dTemporary, activations: a, layout: layout)
                    }
                }
                timer.measure("backward layers") { backwardLayer(l, input: inputs[l], activations: a, layout: layout) }
            }
        }
        return MicroBatchResult(lossSum: loss, weightSum: Double(layout.weightSum), targetTokens: layout.targetRows.count,
                                tokens: layout.rowCount)
    }

    /// Cross-entropy of every target row, chunk by chunk (never a `rows × vocabulary` matrix). With
    /// `gradients`, `dResidual` receives ∂(Σ w·CE)/∂(final hidden state) (zero for rows without a target).
    func headLoss(_ layout: BatchLayout, gradients: Bool) -> Double {
        let d = shape.width, n = layout.rowCount, vocabulary = weights.outputHead.rows
        let hidden = inputs[configuration.layerCount]
        if gradients { dResidual.update(repeating: 0, count: n * d) }
        let epsilon = configuration.normEpsilon
        var total = 0.0
        var start = 0
        let losses = UnsafeMutablePointer<Float>.allocate(capacity: headChunk)
        defer { losses.deallocate() }
        weights.outputNorm.withUnsafeBufferPointer { normWeight in
            let w = normWeight.baseAddress!
            while start < layout.targetRows.count {
                let m = min(headChunk, layout.targetRows.count - start)
                for i in 0..<m {
                    Ops.rmsNorm(hidden + layout.targetRows[start + i] * d, weight: w, count: d, epsilon: epsilon, output: headInput + i * d)
                }
                timer.measure("loss head logits") {
                    MatMul.multiply(weights.outputHead, input: headInput, count: m, output: headLogits, pool: pool, scratch: scratch)
                }
                timer.measure("loss head softmax") { parallelRows(m) { i in
                    let logits = headLogits + i * vocabulary
                    let label = Int(layout.targetLabels[start + i]), weight = layout.targetWeights[start + i]
                    let target = logits[label]
                    guard gradients else {
                        losses[i] = weight * (ck_log_sum_exp(logits, Int32(vocabulary)) - target)
                        return
                    }
                    // One exponential per logit: p = exp(x − max) / Σ, lse = max + log Σ;
                    // ∂(w·CE)/∂logits = w·(softmax − one-hot).
                    let m = logits[Int(ck_max_index(logits, Int32(vocabulary)))]
                    let sum = ck_exp_shifted_sum(logits, Int32(vocabulary), m)
                    losses[i] = weight * (m + logf(sum) - target)
                    Ops.scale(logits, by: weight / sum, count: vocabulary)
                    logits[label] -= weight
                } }
                for i in 0..<m { total += Double(losses[i]) }
                if gradients {
                    timer.measure("loss head gradient") {
                        headBackward.multiply(headLogits, count: m, into: headGradient, pool: pool)
                    }
                    for i in 0..<m {
                        let r = layout.targetRows[start + i]
                        Ops.rmsNormBackward(hidden + r * d, weight: w, dy: headGradient + i * d, count: d, epsilon: epsilon,
                                            dx: dResidual + r * d, accumulate: true)
                    }
                }
                start += m
            }
        }
        return total
    }
}
