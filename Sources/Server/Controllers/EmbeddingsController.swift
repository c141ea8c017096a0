import Gateway
import Hummingbird

/// `POST /v1/embeddings` with all-MiniLM-L6-v2 (384 dimensions, unit length; texts past 256 tokens are
/// truncated, as sentence-transformers does). The model loads on the first request.
struct EmbeddingsController: Sendable {
    let state: ServerState

    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(EmbeddingRequest.self, limit: state.configuration.limits.maxBodyBytes)
        let id = body.model ?? EmbeddingProvider.modelID
        guard id == EmbeddingProvider.modelID else {
            throw APIError.modelNotFound(id, available: [EmbeddingProvider.modelID])
        }
        if let dimensions = body.dimensions, dimensions != 384 {
            throw APIError.invalidParameter("'dimensions' must be 384 for \(id) (got \(dimensions))", param: "dimensions")
        }
        try await state.requireServing()
        let (vectors, tokens) = try await state.embeddings.embed(body.input)
        APICaller.charge(tokens: tokens)
        let response = EmbeddingResponse(
            data: vectors.enumerated().map { .init(index: $0.offset, vector: $0.element, base64: body.encodingFormat == "base64") },
            model: id, usage: .init(promptTokens: tokens))
        return ModelsController.json(response)
    }
}
