import Hummingbird

/// OpenAI's Fine-tuning API on the native trainer: `POST/GET /v1/fine_tuning/jobs`, `GET …/jobs/{id}`,
/// `GET …/{id}/events`, `GET …/{id}/checkpoints` and `POST …/{id}/cancel` (also under `/v1/finetune/`).
struct FineTuningController: Sendable {
    let state: ServerState

    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let body = try await request.decodeJSONBody(FineTuningJobRequest.self, limit: state.configuration.limits.maxBodyBytes)
        let job = try await jobs.create(body)
        return ModelsController.json(FineTuningJobObject(job: job))
    }

    /// Newest first; `after` (a job id), `limit` (1…100, default 20).
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let query = request.uri.queryParameters
        let page = try jobs.jobs(after: query.get("after"), limit: try Pagination.limit(query, default: 20, maximum: 100))
        return ModelsController.json(ListPage(data: page.rows.map { FineTuningJobObject(job: $0) }, hasMore: page.hasMore, id: \.job.id))
    }

    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        return ModelsController.json(FineTuningJobObject(job: try jobs.job(context.parameters.get("id") ?? "")))
    }

    /// Newest first like OpenAI's; `after` (an event id: older events follow it), `limit` (1…1000, default 20).
    func events(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let query = request.uri.queryParameters
        let page = try jobs.events(job: context.parameters.get("id") ?? "", after: query.get("after"),
                                   limit: try Pagination.limit(query, default: 20, maximum: 1000))
        return ModelsController.json(ListPage(data: page.rows.map { FineTuningEventObject(event: $0) }, hasMore: page.hasMore,
                                              id: \.event.id))
    }

    /// Newest first; `after` (a checkpoint id), `limit` (1…100, default 10).
    func checkpoints(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        let query = request.uri.queryParameters
        let page = try jobs.checkpoints(job: context.parameters.get("id") ?? "", after: query.get("after"),
                                        limit: try Pagination.limit(query, default: 10, maximum: 100))
        return ModelsController.json(ListPage(data: page.rows.map { FineTuningCheckpointObject(checkpoint: $0) },
                                              hasMore: page.hasMore, id: \.checkpoint.id))
    }

    func cancel(_ request: Request, context: some RequestContext) async throws -> Response {
        let jobs = try state.requireFineTuning()
        return ModelsController.json(FineTuningJobObject(job: try jobs.cancel(context.parameters.get("id") ?? "")))
    }
}
