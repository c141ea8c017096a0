/// One row of a batch: one example, or several short examples packed together.
///
/// Attention must not cross ``segmentStarts``: a token at index `t` in the segment starting at `s` attends to
/// indices `s...t` only. ``positions`` restart at 0 in each segment. The first token of every segment has
/// weight 0, so no loss term predicts one example from another.
public struct TrainingSequence: Sendable, Equatable {
    /// Token ids.
    public var ids: [Int32]
    /// Loss weight of predicting each token from the tokens before it in its segment (0 or 1).
    public var targetWeights: [Float]
    /// Rotary position of each token: 0, 1, … within each segment.
    public var positions: [Int32]
    /// Index of the first token of each segment, ascending, starting with 0.
    public var segmentStarts: [Int]

    /// A sequence with explicit fields; all arrays but `segmentStarts` have the same length.
    public init(ids: [Int32], targetWeights: [Float], positions: [Int32], segmentStarts: [Int]) {
        precondition(ids.count == targetWeights.count && ids.count == positions.count, "sequence arrays differ in length")
        self.ids = ids
        self.targetWeights = targetWeights
        self.positions = positions
        self.segmentStarts = segmentStarts
    }

    /// One unpacked example: a single segment, positions `0..<n`.
    public init(_ example: EncodedExample) {
        self.init(ids: example.ids, targetWeights: example.targetWeights,
                  positions: (0..<Int32(example.ids.count)).map { $0 }, segmentStarts: [0])
    }

    /// Several examples one after another, each its own segment.
    public init(packing examples: [EncodedExample]) {
        var ids: [Int32] = []
        var weights: [Float] = []
        var positions: [Int32] = []
        var starts: [Int] = []
        let total = examples.reduce(0) { $0 + $1.count }
        ids.reserveCapacity(total)
        weights.reserveCapacity(total)
        positions.reserveCapacity(total)
        for example in examples {
            starts.append(ids.count)
            ids += example.ids
            var w = example.targetWeights
            if !w.isEmpty { w[0] = 0 }
            weights += w
            positions += (0..<Int32(example.count)).map { $0 }
        }
        self.init(ids: ids, targetWeights: weights, positions: positions, segmentStarts: starts)
    }

    /// Number of tokens.
    public var count: Int { ids.count }
    /// Number of tokens whose prediction is in the loss.
    public var targetTokenCount: Int { targetWeights.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }
    /// Sum of the loss weights (the divisor of a token-averaged loss).
    public var targetWeightSum: Float { targetWeights.reduce(0, +) }

    /// The token range of each segment.
    public var segments: [Range<Int>] {
        segmentStarts.indices.map { k in segmentStarts[k]..<(k + 1 < segmentStarts.count ? segmentStarts[k + 1] : ids.count) }
    }
}

/// The sequences of one micro-batch: no padding, lengths may differ.
public struct TrainingBatch: Sendable, Equatable {
    /// The rows.
    public var sequences: [TrainingSequence]

    /// A batch of `sequences`.
    public init(sequences: [TrainingSequence]) {
        self.sequences = sequences
    }

    /// Total tokens.
    public var tokenCount: Int { sequences.reduce(0) { $0 + $1.count } }
    /// Total tokens in the loss.
    public var targetTokenCount: Int { sequences.reduce(0) { $0 + $1.targetTokenCount } }
    /// Total loss weight.
    public var targetWeightSum: Float { sequences.reduce(0) { $0 + $1.targetWeightSum } }
}
