import Hummingbird

/// Outermost middleware: counts every request by matched route (`unmatched` for unknown paths, so
/// arbitrary URLs cannot blow up the label set), method and final status, and times it up to the
/// response head.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.recordHTTP(route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                               status: response.status.code, duration: .now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordHTTP(route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                               status: status, duration: .now - start)
            throw error
        }
    }
}
