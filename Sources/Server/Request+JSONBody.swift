import Hummingbird

extension Request {
    /// Collects the body (at most `limit` bytes, else 413) and decodes it as `T`.
    func decodeJSONBody<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await BodyLimitMiddleware<BasicRequestContext>.collect(body, limit: limit)
        return try JSONCoding.decode(T.self, from: buffer)
    }
}
