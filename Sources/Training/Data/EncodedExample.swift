/// One tokenized conversation: token ids and, per token, the weight of predicting it.
///
/// `targetWeights[t] > 0` means the loss includes predicting `ids[t]` from `ids[0..<t]`, so `targetWeights[0]`
/// is always 0. Only the tokens of trained assistant turns (their text and the turn-closing tokens the chat
/// template writes, e.g. `<|im_end|>`) carry weight.
public struct EncodedExample: Sendable, Equatable {
    /// The token ids, BOS first when the model wants one.
    public var ids: [Int32]
    /// The loss weight of each token (0 or 1), as many as `ids`.
    public var targetWeights: [Float]

    /// An encoded example; `ids` and `targetWeights` must have the same length.
    public init(ids: [Int32], targetWeights: [Float]) {
        precondition(ids.count == targetWeights.count, "ids and targetWeights differ in length")
        self.ids = ids
        self.targetWeights = targetWeights
    }

    /// Number of tokens.
    public var count: Int { ids.count }

    /// Number of tokens whose prediction is in the loss.
    public var targetTokenCount: Int { targetWeights.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// The index of the first token in the loss, or nil when there is none.
    public var firstTargetIndex: Int? { targetWeights.firstIndex { $0 > 0 } }

    /// The first `maxLength` tokens (the beginning is kept; the example is unchanged when it is short enough).
    public func truncated(to maxLength: Int) -> EncodedExample {
        guard ids.count > maxLength else { return self }
        return EncodedExample(ids: Array(ids[..<maxLength]), targetWeights: Array(targetWeights[..<maxLength]))
    }
}
