/// A micro-batch laid out as rows: its sequences one after another, with every row's RoPE position,
/// the first row of its segment (attention never crosses a packed example's boundary) and the
/// loss targets (row r predicts the next row's token).
struct BatchLayout {
    /// Token of every row.
    var tokens: [Int32] = []
    var positions: [Int] = []
    /// Absolute index of the first row of the row's segment.
    var segmentStart: [Int] = []
    /// Segments as (first row, row count); attention tasks run per segment.
    var segments: [(start: Int, count: Int)] = []
    /// Rows whose next token is a target, with that token and its loss weight.
    var targetRows: [Int] = []
    var targetLabels: [Int32] = []
    var targetWeights: [Float] = []

    var rowCount: Int { tokens.count }
    var weightSum: Float { targetWeights.reduce(0, +) }

    init(_ batch: TrainingBatch) {
        for sequence in batch.sequences {
            let offset = tokens.count
            tokens += sequence.ids
            positions += sequence.positions.map(Int.init)
            let starts = sequence.segmentStarts.isEmpty ? [0] : sequence.segmentStarts
            for (i, start) in starts.enumerated() {
                let end = i + 1 < starts.count ? starts[i + 1] : sequence.ids.count
                segments.append((offset + start, end - start))
                segmentStart += Array(repeating: offset + start, count: end - start)
            }
            for t in 1..<max(sequence.ids.count, 1) where sequence.targetWeights[t] > 0 {
                targetRows.append(offset + t - 1)
                targetLabels.append(sequence.ids[t])
                targetWeights.append(sequence.targetWeights[t])
            }
        }
    }
}
