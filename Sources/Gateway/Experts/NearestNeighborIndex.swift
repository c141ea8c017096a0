/// The k-nearest-neighbour baseline: every training embedding with its class; a query's class scores are the
/// cosines of its `k` most similar training vectors summed per class and divided by `k` (negative cosines count
/// as 0), so a score is high only when many close neighbours agree. An exhaustive scan: ~300 × 384 products
/// take tens of microseconds.
public struct NearestNeighborIndex: Sendable, Equatable, Codable {
    public let classCount: Int
    public let dimension: Int
    /// Neighbours that vote.
    public let k: Int
    /// `count × dimension`, row-major, unit length.
    public private(set) var vectors: PackedFloats
    /// The class of each vector.
    public private(set) var labels: [Int]

    public var count: Int { labels.count }

    /// Stores `vectors` (normalised to unit length) with their `labels` in `0..<classCount`.
    public init(vectors: [[Float]], labels: [Int], classCount: Int, k: Int) throws(ExpertRouterError) {
        guard let d = vectors.first?.count, d > 0, vectors.count == labels.count else {
            throw .invalidTrainingData("\(vectors.count) vectors for \(labels.count) labels")
        }
        guard k > 0 else { throw .invalidConfiguration(key: "neighbors", message: "must be positive (got \(k))") }
        if let bad = vectors.first(where: { $0.count != d }) { throw .invalidEmbedding(expected: d, got: bad.count) }
        guard labels.allSatisfy({ (0..<classCount).contains($0) }) else { throw .invalidTrainingData("a label is outside 0..<\(classCount)") }
        self.classCount = classCount
        self.dimension = d
        self.k = k
        self.vectors = PackedFloats(vectors.flatMap(VectorMath.normalized))
        self.labels = labels
    }

    /// Checks the sizes after decoding.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        classCount = try c.decode(Int.self, forKey: .classCount)
        dimension = try c.decode(Int.self, forKey: .dimension)
        k = try c.decode(Int.self, forKey: .k)
        vectors = try c.decode(PackedFloats.self, forKey: .vectors)
        labels = try c.decode([Int].self, forKey: .labels)
        guard dimension > 0, k > 0, !labels.isEmpty, vectors.values.count == labels.count * dimension,
              labels.allSatisfy({ (0..<classCount).contains($0) }) else {
            throw ExpertRouterError.invalidModel("k-NN index: \(vectors.values.count) values and \(labels.count) labels do not fit dimension \(dimension)")
        }
    }

    /// Per-class scores in [0, 1] (they sum to at most 1). `x` must have `dimension` values and unit length.
    public func scores(_ x: [Float]) -> [Float] {
        precondition(x.count == dimension, "feature vector has \(x.count) values, expected \(dimension)")
        let kk = min(k, count)
        // The kk best (similarity, index) pairs, best first; insertion into a tiny sorted list.
        var best: [(similarity: Float, index: Int)] = []
        best.reserveCapacity(kk + 1)
        vectors.values.withUnsafeBufferPointer { v in
            x.withUnsafeBufferPointer { xp in
                for i in 0..<count {
                    let s = VectorMath.dot(v.baseAddress! + i * dimension, xp.baseAddress!, dimension)
                    if best.count == kk, s <= best[kk - 1].similarity { continue }
                    var at = best.count
                    while at > 0, best[at - 1].similarity < s { at -= 1 }
                    best.insert((s, i), at: at)
                    if best.count > kk { best.removeLast() }
                }
            }
        }
        var result = [Float](repeating: 0, count: classCount)
        for (s, i) in best { result[labels[i]] += max(0, s) / Float(kk) }
        return result
    }
}
