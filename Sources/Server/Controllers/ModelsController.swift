import Gateway
import Hummingbird

/// `GET /v1/models` and `GET /v1/models/{id}`.
struct ModelsController: Sendable {
    let state: ServerState

    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let statuses = await state.pool.statuses()
        return Self.json(ModelList(data: statuses.map { ModelObject($0, created: state.startedAt) }))
    }

    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let statuses = await state.pool.statuses()
        guard let status = statuses.first(where: { $0.served.id == id }) else {
            throw APIError.modelNotFound(id, available: statuses.map(\.served.id))
        }
        return Self.json(ModelObject(status, created: state.startedAt))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: JSONCoding.encode(value)))
    }
}
