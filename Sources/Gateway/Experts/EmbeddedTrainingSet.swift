/// One expert's training prompts as embeddings (what `ExpertRouterTrainer.train(_:)` consumes).
public struct EmbeddedTrainingSet: Sendable, Equatable {
    public var id: String
    /// Unit-length sentence embeddings (MiniLM: 384 values), one per prompt.
    public var embeddings: [[Float]]

    public init(id: String, embeddings: [[Float]]) {
        self.id = id
        self.embeddings = embeddings
    }
}
