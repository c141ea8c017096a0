import Gateway
import HTTPTypes
import Hummingbird

extension ChatCompletionsController {
    /// Request header naming the device profile (`server`, `laptop`, `mobile`); the body field
    /// `device_profile` does the same.
    static let deviceProfileHeader = HTTPField.Name("X-GroupQwen-Device")!

    /// Routes the request: a configured `model` id is forced (unknown ids → 404), `auto` or none asks the
    /// router. An unknown device profile is a 400 naming `device_profile`.
    func routingPlan(_ body: ChatCompletionRequest, parameters: RequestParameters, request: Request) async throws -> RoutingPlan {
        let automatic = ModelRouter.isAutomatic(body.model)
        if !automatic, let id = body.model, !state.configuration.models.contains(where: { $0.id == id }) {
            _ = try await state.pool.model(id)   // throws the pool's 404 naming the model
        }
        let routingRequest = RoutingRequest(
            messages: body.messages.map { (role: $0.role, text: $0.content) },
            maxTokens: parameters.requestedMaxTokens,
            profile: request.headers[Self.deviceProfileHeader] ?? body.deviceProfile)
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
