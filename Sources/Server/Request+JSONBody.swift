import Hummingbird

extension Request {
    /// Collects the body (at most `limit` bytes, else 413) and decodes it as `T`.
    func decodeJSONBody<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        try await decodeJSONBodyKeepingBytes(type, limit: limit).value
    }

    /// Like `decodeJSONBody`, also returning the raw bytes (to forward them to a remote backend).
    func decodeJSONBodyKeepingBytes<T: Decodable>(_ type: T.Type, limit: Int) async throws -> (value: T, bytes: ByteBuffer) {
        let buffer = try await BodyLimitMiddleware<ServerRequestContext>.collect(body, limit: limit)
        return (try JSONCoding.decode(T.self, from: buffer), buffer)
    }
}
