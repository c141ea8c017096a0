import Kernels

extension LanguageModel {
    static let queryKeyValueTargets: [LoRATarget] = [.query, .key, .value]
    static let gateUpTargets: [LoRATarget] = [.gate, .up]
    static let outputTargets: [LoRATarget] = [.output]
    static let downTargets: [LoRATarget] = [.down]

    /// outputs[m] = base[m] · x for every row, plus, for rows with adapters, each adapter's
    /// `s · B·(A·x)` for the matching target of `layer`. Without adapters in the chunk this is exactly
    /// the base product.
    ///
    /// The adapters' `A·x` products join the base matrices in one `MatMul` dispatch (they share its
    /// input and its quantized copy of it); the `B` updates follow in one more dispatch, split over
    /// the threads by output feature.
    func project(_ base: [WeightMatrix], targets: [LoRATarget], layer: Int, input: UnsafePointer<Float>, count n: Int,
                 outputs baseOutputs: [UnsafeMutablePointer<Float>]) {
        let lora = loraBatch
        guard !lora.isEmpty else {
            MatMul.multiply(base, input: input, count: n, outputs: baseOutputs, pool: pool, scratch: scratch)
            return
        }
        var needed = 0
        for adapter in lora.adapters {
            for target in targets { needed += n * (adapter.pair(layer: layer, target: target)?.rank ?? 0) }
        }
        guard needed > 0 else {
            MatMul.multiply(base, input: input, count: n, outputs: baseOutputs, pool: pool, scratch: scratch)
            return
        }
        lora.reserveScratch(needed)
        lora.beginProduct(base: base, outputs: baseOutputs)
        for (a, adapter) in lora.adapters.enumerated() {
            for (m, target) in targets.enumerated() {
                guard let pair = adapter.pair(layer: layer, target: target) else { continue }
                let products = lora.takeScratch(n * pair.rank)
                lora.matrices.append(pair.a)
                lora.outputs.append(products)
                lora.jobs.append(LowRankJob(pair: pair, adapter: a, products: products, output: baseOutputs[m]))
            }
        }
        MatMul.multiply(lora.matrices, input: input, count: n, outputs: lora.outputs, pool: pool, scratch: scratch)
        applyLowRankJobs()
    }

    /// Adds every job's `s · B·t` to the rows that use its adapter.
    private func applyLowRankJobs() {
        let lora = loraBatch
        // Fold the per-row scale (user scale × alpha / rank) into the rows' A·x products.
        for job in lora.jobs {
            for e in lora.start[job.adapter]..<lora.start[job.adapter + 1] {
                let s = lora.scales[e] * job.pair.scale
                let t = job.products + lora.rows[e] * job.pair.rank
                for k in 0..<job.pair.rank { t[k] *= s }
            }
        }
        lora.jobs.withUnsafeBufferPointer { jobs in
            let total = jobs.reduce(0) { $0 + $1.pair.outputs }
            pool.run { t, threads in
                // Contiguous ranges of the concatenated outputs, in units of 16 features.
                let units = (total + 15) / 16
                let lo = min(total, units * t / threads * 16), hi = min(total, units * (t + 1) / threads * 16)
                guard lo < hi else { return }
                var base = 0
                for job in jobs {
                    let pair = job.pair
                    let from = max(lo, base) - base, to = min(hi, base + pair.outputs) - base
                    if from < to {
                        for e in lora.start[job.adapter]..<lora.start[job.adapter + 1] {
                            let row = lora.rows[e]
                            Ops.addLowRank(coefficients: job.products + row * pair.rank, rank: pair.rank,
                                           bTransposed: pair.bTransposed, stride: pair.outputs, range: from..<to,
                                           output: job.output + row * pair.outputs)
                        }
                    }
                    base += pair.outputs
                }
            }
        }
    }
}
