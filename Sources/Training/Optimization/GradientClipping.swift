/// Global-norm gradient clipping, as `torch.nn.utils.clip_grad_norm_`: the L2 norm over every gradient value
/// of every tensor; when it exceeds `maxNorm`, all gradients are scaled by `maxNorm / (norm + 1e-6)`.
public enum GradientClipping {
    /// The L2 norm over all values of all tensors (accumulated in double precision).
    public static func globalNorm(_ gradients: [UnsafeBufferPointer<Float>]) -> Double {
        gradients.reduce(0.0) { $0 + sumOfSquares($1) }.squareRoot()
    }

    /// The L2 norm over all values of all gradient arrays.
    public static func globalNorm(_ gradients: [[Float]]) -> Double {
        gradients.reduce(0.0) { total, g in total + g.withUnsafeBufferPointer { sumOfSquares($0) } }.squareRoot()
    }

    /// The factor `clip` scales gradients of global norm `norm` by (1 when no clipping applies).
    public static func scale(norm: Double, maxNorm: Double) -> Float {
        guard maxNorm > 0, maxNorm.isFinite, norm.isFinite else { return 1 }
        let coefficient = maxNorm / (norm + 1e-6)
        return coefficient < 1 ? Float(coefficient) : 1
    }

    /// Scales `gradients` in place so their global norm is at most `maxNorm`, and returns the norm before
    /// clipping. A `maxNorm` of 0 or less (or infinity) only measures; a non-finite norm leaves the gradients
    /// as they are (the caller should skip the step).
    @discardableResult
    public static func clip(_ gradients: [UnsafeMutableBufferPointer<Float>], maxNorm: Double) -> Double {
        let norm = globalNorm(gradients.map { UnsafeBufferPointer($0) })
        let factor = scale(norm: norm, maxNorm: maxNorm)
        if factor != 1 {
            for g in gradients {
                for k in g.indices { g[k] *= factor }
            }
        }
        return norm
    }

    /// ``clip(_:maxNorm:)`` over gradient arrays.
    @discardableResult
    public static func clip(_ gradients: inout [[Float]], maxNorm: Double) -> Double {
        let norm = globalNorm(gradients)
        let factor = scale(norm: norm, maxNorm: maxNorm)
        if factor != 1 {
            for i in gradients.indices {
                gradients[i].withUnsafeMutableBufferPointer { g in
                    for k in g.indices { g[k] *= factor }
                }
            }
        }
        return norm
    }

    /// Σ g², with `Float` partial sums over runs of 4,096 values added in double precision.
    static func sumOfSquares(_ g: UnsafeBufferPointer<Float>) -> Double {
        var sum = 0.0
        var k = 0
        while k < g.count {
            let end = min(k + 4096, g.count)
            var partial: Float = 0
            for j in k..<end { partial += g[j] * g[j] }
            sum += Double(partial)
            k = end
        }
        return sum
    }
}
