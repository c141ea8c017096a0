import Hummingbird

/// `GET /health`: 200 `{"status":"ok"}` once startup preloading is done, 503 `{"status":"loading"}`
/// before, 503 `{"status":"shutting_down"}` after shutdown began.
struct HealthController: Sendable {
    let state: ServerState

    private struct Status: Encodable { let status: String }

    func check(_ request: Request, context: some RequestContext) async throws -> Response {
        let status: String
        switch state.currentPhase {
        case .starting: status = "loading"
        case .stopping: status = "shutting_down"
        case .ready: status = await state.pool.isReady ? "ok" : "loading"
        }
        var response = ModelsController.json(Status(status: status), status: status == "ok" ? .ok : .serviceUnavailable)
        if status != "ok" { response.headers[.retryAfter] = "5" }
        return response
    }
}
