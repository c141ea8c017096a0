import HTTPTypes
import Hummingbird
import Logging

/// Logs one structured line per request — request id, method, path (without the query), status, duration,
/// and for completions the model, cache result and expert — and returns the id as `X-Request-Id`. Bodies and
/// message contents are never logged.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static var requestIDHeader: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let id = context.logger[metadataKey: "hb.request.id"].map { "\($0)" } ?? ""
        var response = try await next(request, context)
        if !id.isEmpty { response.headers[Self.requestIDHeader] = id }
        let elapsed = ContinuousClock.now - start
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
        ]
        if let model = response.headers[HTTPField.Name("X-GroupQwen-Model")!] { metadata["model"] = .string(model) }
        if let cache = response.headers[HTTPField.Name("X-GroupQwen-Cache")!] { metadata["cache"] = .string(cache) }
        if let expert = response.headers[HTTPField.Name("X-GroupQwen-Expert")!] { metadata["expert"] = .string(expert) }
        context.logger.info("request", metadata: metadata)
        return response
    }
}
