import Hummingbird

/// `GET /metrics`: Prometheus text exposition format 0.0.4.
struct MetricsController: Sendable {
    let state: ServerState

    func scrape(_ request: Request, context: some RequestContext) async throws -> Response {
        let bytes = await state.metrics.render(pool: state.pool, remotes: state.remotes, adapters: state.adapters.catalog,
                                               connections: state.connections)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension MetricsController {
    /// `GET /v1/metrics/live`: the live dashboard's snapshot (what `/v1/ws/metrics` pushes every second), for clients
    /// that poll.
    func live(_ request: Request, context: some RequestContext) async throws -> Response {
        ModelsController.json(await LiveSnapshot.current(state))
    }
}
