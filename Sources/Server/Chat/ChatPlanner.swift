import Gateway
import HTTPTypes

/// Decides how a chat request is answered before anything runs: routes it (a configured `model` id is
/// forced, `auto` or none asks the router), lists the candidates to try in order, reads the constraints
/// its answers must satisfy (JSON mode) and computes its semantic-cache key. It reads the decoded body and
/// the headers; nothing is generated, stored or recorded.
struct ChatPlanner: Sendable {
    /// Request header naming the device profile (`server`, `laptop`, `mobile`); the body field
    /// `device_profile` does the same.
    static let deviceProfileHeader = HTTPField.Name("X-GroupQwen-Device")!

    let state: ServerState

    /// The plan of one request. Throws the pool's 404 for an unknown model id and a 400 naming
    /// `device_profile` for an unknown device profile.
    func plan(_ input: ChatInput, headers: HTTPFields) async throws -> ChatPlan {
        let routing = try await routingPlan(input, headers: headers)
        return ChatPlan(
            routing: routing,
            candidates: routing.candidates.map { AnswerCandidate(model: $0, remote: state.remotes[$0.id]) },
            constraints: ChatConstraints(input.body),
            judge: ConfidenceJudge(state.configuration.routing),
            cacheKey: cacheKey(input, headers: headers, routing: routing))
    }

    /// Routes the request: a configured `model` id is forced (unknown ids → 404), `auto` or none asks the
    /// router. An unknown device profile is a 400 naming `device_profile`.
    func routingPlan(_ input: ChatInput, headers: HTTPFields) async throws -> RoutingPlan {
        let body = input.body
        let automatic = ModelRouter.isAutomatic(body.model)
        if !automatic, let id = body.model, !state.configuration.models.contains(where: { $0.id == id }) {
            _ = try await state.pool.model(id)   // throws the pool's 404 naming the model
        }
        let routingRequest = RoutingRequest(
            messages: body.messages.map { (role: $0.role, text: $0.content) },
            maxTokens: input.parameters.requestedMaxTokens,
            profile: headers[Self.deviceProfileHeader] ?? body.deviceProfile)
        do {
            return try state.router.plan(routingRequest, forcedModel: automatic ? nil : body.model)
        } catch {
            switch error {
            case .unknownProfile:
                throw APIError.invalidParameter(error.description, param: "device_profile")
            case .noModel, .invalidConfiguration:
                throw APIError.invalidParameter(error.description, param: "model")
            }
        }
    }
}
