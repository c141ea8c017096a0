/// A named trainable tensor: row-major `Float` values of `shape`.
public struct ParameterTensor: Sendable, Equatable {
    /// The tensor's name in checkpoints (e.g. `blk.0.attn_q.lora_a`).
    public var name: String
    /// Its dimensions, outermost first.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values.
    public var values: [Float]

    /// A tensor; `values.count` must equal the product of `shape`.
    public init(name: String, shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "tensor '\(name)': \(values.count) values for shape \(shape)")
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// A tensor of zeros.
    public init(name: String, shape: [Int]) {
        self.init(name: name, shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Number of values.
    public var count: Int { values.count }
}
