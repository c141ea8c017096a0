import Gateway

/// The learned router's inputs for graded prompts, computed as the server computes them: the last user turn
/// embedded by the 8-bit MiniLM that keys the semantic cache, then the keyword complexity features.
public enum RouterFeatures {
    public static func of(_ prompts: [GradedPrompt], configuration: RoutingConfiguration,
                          embeddings: EmbeddingProvider) async throws -> [[Float]] {
        let scorer = ComplexityScorer(configuration: configuration)
        var features: [[Float]] = []
        let batch = 32
        for start in stride(from: 0, to: prompts.count, by: batch) {
            let slice = Array(prompts[start..<min(prompts.count, start + batch)])
            let vectors = try await embeddings.embed(slice.map(\.lastUserText)).vectors
            for (prompt, vector) in zip(slice, vectors) {
                features.append(LearnedRouter.features(embedding: vector, text: prompt.lastUserText,
                                                       complexity: scorer.score(PolicyEvaluator.routingRequest(prompt))))
            }
        }
        return features
    }
}
