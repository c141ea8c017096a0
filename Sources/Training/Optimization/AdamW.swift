/// AdamW (Loshchilov & Hutter) over a list of flat `Float` tensors, step for step what `torch.optim.AdamW`
/// computes (non-amsgrad, non-fused):
///
/// ```
/// θ ← θ · (1 − lr · λ)                         decoupled weight decay
/// m ← β1 · m + (1 − β1) · g
/// v ← β2 · v + (1 − β2) · g²
/// θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// ```
///
/// `m` and `v` (PyTorch's `exp_avg`, `exp_avg_sq`) start at zero; `t` counts steps from 1.
public struct AdamW: Sendable, Equatable {
    /// The constants of the update, in double precision like PyTorch's Python floats (each is rounded to
    /// `Float` where PyTorch's kernels round it).
    public struct Hyperparameters: Sendable, Equatable, Codable {
        /// First-moment decay (0.9).
        public var beta1: Double
        /// Second-moment decay (0.999).
        public var beta2: Double
        /// Added to the denominator (1e-8).
        public var epsilon: Double
        /// Decoupled weight decay λ (0; PyTorch's default is 0.01).
        public var weightDecay: Double

        /// The defaults: β1 0.9, β2 0.999, ε 1e-8, no weight decay.
        public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }

        enum CodingKeys: String, CodingKey {
            case beta1, beta2, epsilon
            case weightDecay = "weight_decay"
        }
    }

    /// The constants.
    public var hyperparameters: Hyperparameters
    /// Steps taken so far (PyTorch's `state["step"]`).
    public private(set) var step: Int
    /// First moments, one buffer per parameter tensor.
    public private(set) var m: [[Float]]
    /// Second moments, one buffer per parameter tensor.
    public private(set) var v: [[Float]]

    /// A fresh optimizer for tensors of `counts` values each.
    public init(counts: [Int], hyperparameters: Hyperparameters = Hyperparameters()) {
        self.hyperparameters = hyperparameters
        step = 0
        m = counts.map { [Float](repeating: 0, count: $0) }
        v = m
    }

    /// An optimizer restored from a checkpoint (`m` and `v` as saved after `step` steps).
    public init(step: Int, m: [[Float]], v: [[Float]], hyperparameters: Hyperparameters = Hyperparameters()) {
        precondition(step >= 0 && m.count == v.count && zip(m, v).allSatisfy { $0.count == $1.count }, "inconsistent AdamW state")
        self.hyperparameters = hyperparameters
        self.step = step
        self.m = m
        self.v = v
    }

    /// Value counts of the tensors this optimizer updates.
    public var counts: [Int] { m.map(\.count) }

    /// Takes one step over all tensors: `parameters[i]` is updated from `gradients[i]` (same counts as at init).
    public mutating func update(parameters: inout [[Float]], gradients: [[Float]], learningRate: Double) {
        precondition(parameters.count == m.count && gradients.count == m.count, "AdamW: wrong number of tensors")
        step += 1
        for i in m.indices {
            parameters[i].withUnsafeMutableBufferPointer { p in
                gradients[i].withUnsafeBufferPointer { g in apply(i, p, g, learningRate) }
            }
        }
    }

    /// Takes one step over named tensors (`parameters[i].values` from `gradients[i]`).
    public mutating func update(parameters: inout [ParameterTensor], gradients: [[Float]], learningRate: Double) {
        precondition(parameters.count == m.count && gradients.count == m.count, "AdamW: wrong number of tensors")
        step += 1
        for i in m.indices {
            parameters[i].values.withUnsafeMutableBufferPointer { p in
                gradients[i].withUnsafeBufferPointer { g in apply(i, p, g, learningRate) }
            }
        }
    }

    /// Takes one step over tensors the caller owns (e.g. weights inside a model); buffer `i` must hold
    /// `counts[i]` values.
    public mutating func update(parameters: [UnsafeMutableBufferPointer<Float>], gradients: [UnsafeBufferPointer<Float>],
                                learningRate: Double) {
        precondition(parameters.count == m.count && gradients.count == m.count, "AdamW: wrong number of tensors")
        step += 1
        for i in m.indices { apply(i, parameters[i], gradients[i], learningRate) }
    }

    private mutating func apply(_ i: Int, _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>, _ lr: Double) {
        precondition(p.count == m[i].count && g.count == m[i].count, "AdamW: tensor \(i) has the wrong size")
        let h = hyperparameters
        let t = Double(step)
        // As torch's _single_tensor_adam: scalars are computed in double and rounded to float by the kernels.
        let stepSize = Float(-(lr / (1 - pow(h.beta1, t))))
        let bias2Sqrt = Float((1 - pow(h.beta2, t)).squareRoot())
        let decay = Float(1 - lr * h.weightDecay)
        let weight1 = Float(1 - h.beta1)
        let beta2 = Float(h.beta2)
        let weight2 = Float(1 - h.beta2)
        let eps = Float(h.epsilon)
        let decays = h.weightDecay != 0
        // Moved out of the arrays so the buffers are uniquely referenced while written.
        var mBuffer = m[i]
        var vBuffer = v[i]
        m[i] = []
        v[i] = []
        defer {
            m[i] = mBuffer
            v[i] = vBuffer
        }
        mBuffer.withUnsafeMutableBufferPointer { m in
            vBuffer.withUnsafeMutableBufferPointer { v in
                for k in 0..<p.count {
                    let gk = g[k]
                    var pk = p[k]
                    if decays { pk = pk * decay }                          // param.mul_(1 - lr * wd)
                    let mk = m[k] + weight1 * (gk - m[k])                   // exp_avg.lerp_(grad, 1 - beta1)
                    let vk = v[k] * beta2 + weight2 * gk * gk               // exp_avg_sq.mul_(b2).addcmul_(g, g, 1 - b2)
                    let denom = vk.squareRoot() / bias2Sqrt + eps           // (exp_avg_sq.sqrt() / bc2_sqrt).add_(eps)
                    p[k] = pk + stepSize * mk / denom                       // param.addcdiv_(exp_avg, denom, -step_size)
                    m[k] = mk
                    v[k] = vk
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
