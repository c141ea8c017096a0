/// Multinomial logistic regression (softmax regression) over fixed-length feature vectors:
/// `p(c | x) = softmax(W x + b)_c`, trained in Swift by full-batch Nesterov-accelerated gradient descent on the
/// class-balanced cross-entropy plus `l2 / 2 · ‖W‖²` (the biases are not penalised).
///
/// The objective is convex, so the result depends only on the data and the options: training starts from zero
/// and sums in a fixed order, with no randomness. The step is `1 / L` with `L = ½ · max ‖[x, 1]‖² + l2` — a
/// bound on the largest eigenvalue of the Hessian (the softmax Jacobian's is at most ½) — and the momentum
/// `(1 − √(l2/L)) / (1 + √(l2/L))` of the strongly convex case, so a few hundred iterations converge for unit-length
/// embeddings and `l2` around 1e-3 (a few hundred milliseconds for ~300 examples × 384 features × 4 classes).
public struct SoftmaxRegression: Sendable, Equatable, Codable {
    /// Training options.
    public struct Options: Sendable, Equatable, Codable {
        /// L2 penalty on the weights; larger is smoother, less confident probabilities.
        public var l2: Float
        /// Full-batch gradient steps.
        public var iterations: Int
        /// Weigh every class equally however many examples it has (each example `1 / (classes · count of its class)`).
        public var balanced: Bool

        public init(l2: Float = 1e-3, iterations: Int = 400, balanced: Bool = true) {
            self.l2 = l2
            self.iterations = iterations
            self.balanced = balanced
        }
    }

    public let classCount: Int
    public let dimension: Int
    /// `classCount × dimension`, row-major (one row per class).
    public private(set) var weights: PackedFloats
    /// One per class.
    public private(set) var biases: PackedFloats

    public init(classCount: Int, dimension: Int, weights: [Float], biases: [Float]) throws(ExpertRouterError) {
        guard classCount > 0, dimension > 0, weights.count == classCount * dimension, biases.count == classCount else {
            throw .invalidModel("softmax regression: \(weights.count) weights and \(biases.count) biases do not fit \(classCount) classes × \(dimension)")
        }
        self.classCount = classCount
        self.dimension = dimension
        self.weights = PackedFloats(weights)
        self.biases = PackedFloats(biases)
    }

    /// Checks the sizes after decoding.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(classCount: try c.decode(Int.self, forKey: .classCount), dimension: try c.decode(Int.self, forKey: .dimension),
                      weights: try c.decode(PackedFloats.self, forKey: .weights).values,
                      biases: try c.decode(PackedFloats.self, forKey: .biases).values)
    }

    /// `W x + b`. `x` must have `dimension` values.
    public func logits(_ x: [Float]) -> [Float] {
        precondition(x.count == dimension, "feature vector has \(x.count) values, expected \(dimension)")
        var z = biases.values
        weights.values.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xp in
                for c in 0..<classCount { z[c] += VectorMath.dot(w.baseAddress! + c * dimension, xp.baseAddress!, dimension) }
            }
        }
        return z
    }

    /// Class probabilities (they sum to 1).
    public func probabilities(_ x: [Float]) -> [Float] {
        var z = logits(x)
        VectorMath.softmax(&z)
        return z
    }

    /// Trains on `features` (all of one length) with `labels` in `0..<classCount`; every class needs an example.
    public static func train(features: [[Float]], labels: [Int], classCount: Int, options: Options = Options()) throws(ExpertRouterError) -> SoftmaxRegression {
        guard !features.isEmpty, features.count == labels.count else {
            throw .invalidTrainingData("\(features.count) feature vectors for \(labels.count) labels")
        }
        let d = features[0].count
        guard d > 0, features.allSatisfy({ $0.count == d }) else { throw .invalidEmbedding(expected: d, got: features.first { $0.count != d }?.count ?? 0) }
        guard options.l2 > 0, options.iterations > 0 else {
            throw .invalidConfiguration(key: "logistic regression", message: "needs l2 > 0 and iterations > 0 (got \(options.l2), \(options.iterations))")
        }
        var counts = [Int](repeating: 0, count: classCount)
        for y in labels {
            guard (0..<classCount).contains(y) else { throw .invalidTrainingData("label \(y) outside 0..<\(classCount)") }
            counts[y] += 1
        }
        guard counts.allSatisfy({ $0 > 0 }) else { throw .invalidTrainingData("every class needs at least one example (counts \(counts))") }
        let n = features.count, k = classCount
        let sampleWeights = labels.map { options.balanced ? 1 / Float(k * counts[$0]) : 1 / Float(n) }
        let x = features.flatMap { $0 }
        let maxNormSquared = features.map { $0.reduce(Float(0)) { $0 + $1 * $1 } }.max()! + 1
        let lipschitz = 0.5 * maxNormSquared + options.l2
        let step = 1 / lipschitz
        let q = (options.l2 / lipschitz).squareRoot()
        let momentum = (1 - q) / (1 + q)

        // θ = (W, b) packed as k·d weights then k biases; y is the look-ahead point.
        let size = k * d + k
        var theta = [Float](repeating: 0, count: size)
        var look = theta
        var gradient = theta
        var z = [Float](repeating: 0, count: k)
        for _ in 0..<options.iterations {
            for i in gradient.indices { gradient[i] = 0 }
            x.withUnsafeBufferPointer { xp in
                look.withUnsafeBufferPointer { lp in
                    gradient.withUnsafeMutableBufferPointer { gp in
                        for i in 0..<n {
                            let xi = xp.baseAddress! + i * d
                            for c in 0..<k { z[c] = lp[k * d + c] + VectorMath.dot(lp.baseAddress! + c * d, xi, d) }
                            VectorMath.softmax(&z)
                            z[labels[i]] -= 1
                            for c in 0..<k {
                                let g = sampleWeights[i] * z[c]
                                VectorMath.axpy(g, xi, gp.baseAddress! + c * d, d)
                                gp[k * d + c] += g
                            }
                        }
                    }
                }
            }
            for i in 0..<(k * d) { gradient[i] += options.l2 * look[i] }
            for i in 0..<size {
                let next = look[i] - step * gradient[i]
                look[i] = next + momentum * (next - theta[i])
                theta[i] = next
            }
        }
        return try SoftmaxRegression(classCount: k, dimension: d, weights: Array(theta[0..<(k * d)]), biases: Array(theta[(k * d)...]))
    }
}
