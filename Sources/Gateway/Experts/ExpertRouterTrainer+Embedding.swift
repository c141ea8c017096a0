extension ExpertRouterTrainer {
    /// Embeds every prompt with `embed` (truncated as `ExpertQuery` truncates a request, in batches of 64) and
    /// trains. `noneExamples` defaults to `OffDomainPrompts.generic`; `offDomainCalibration` are off-domain prompts
    /// that only calibrate the threshold (e.g. the first half of docs/examples/experts/off-domain.txt).
    public func train(experts: [ExpertTrainingSet], noneExamples: [String] = OffDomainPrompts.generic,
                      offDomainCalibration: [String] = [], embed: ExpertQueryEncoder.Embed) async throws -> ExpertRouter {
        var embedded: [EmbeddedTrainingSet] = []
        for set in experts {
            embedded.append(EmbeddedTrainingSet(id: set.id, embeddings: try await Self.embed(set.prompts, with: embed)))
        }
        return try train(experts: embedded, noneExamples: try await Self.embed(noneExamples, with: embed),
                         offDomainCalibration: try await Self.embed(offDomainCalibration, with: embed))
    }

    /// Embeds with `provider` — use the one that will embed the requests (the server's Q8_0 cache-key provider)
    /// — and trains.
    public func train(experts: [ExpertTrainingSet], noneExamples: [String] = OffDomainPrompts.generic,
                      offDomainCalibration: [String] = [], provider: EmbeddingProvider) async throws -> ExpertRouter {
        try await train(experts: experts, noneExamples: noneExamples, offDomainCalibration: offDomainCalibration) {
            try await provider.embed($0).vectors
        }
    }

    /// `texts` truncated as a request's last user turn and embedded in batches of 64.
    public static func embed(_ texts: [String], with embed: ExpertQueryEncoder.Embed) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: 64) {
            let batch = texts[start..<min(texts.count, start + 64)].map(ExpertQuery.truncated)
            let result = try await embed(batch)
            guard result.count == batch.count else { throw ExpertRouterError.embeddingFailed("\(result.count) vectors for \(batch.count) texts") }
            vectors += result
        }
        return vectors
    }
}
