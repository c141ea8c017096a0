import Foundation
import Gateway
import Hummingbird

/// `GET /v1/experts`, `GET /v1/experts/{id}`, `POST /v1/experts/deploy` and `POST /v1/experts/{id}/rollback`: the
/// mixture of LoRA experts (`ExpertService`). Deployments and rollbacks are stored in the registry and survive a
/// restart; every route answers 404 `experts_disabled` when `experts.enabled` is false.
struct ExpertsController: Sendable {
    let state: ServerState

    /// The live release (empty `data` and `null` deployment when none). With `?format=release`: the live
    /// `ExpertRelease` document itself (router weights included), as `groupqwen experts build` compares against it and
    /// `POST /v1/experts/deploy` takes it; 404 `no_experts_deployed` when none is live.
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let experts = try state.requireExperts()
        let live = await experts.live
        if request.uri.queryParameters.get("format") == "release" {
            guard let live else {
                throw APIError(status: .notFound, message: "no experts are deployed", type: "invalid_request_error", param: nil,
                               code: "no_experts_deployed")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try live.release.jsonData())))
        }
        return ModelsController.json(try await listing(experts, live: live))
    }

    /// Every stored version of one expert; 404 `expert_not_found` for an id never deployed.
    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        let experts = try state.requireExperts()
        let id = context.parameters.get("id") ?? ""
        let versions = try experts.versions(of: id)
        let live = await experts.live
        guard !versions.isEmpty else {
            let known = live?.release.experts.map(\.id) ?? []
            throw APIError(status: .notFound,
                           message: "no expert '\(id)' was ever deployed" + (known.isEmpty ? "" : "; live experts: " + known.joined(separator: ", ")),
                           type: "invalid_request_error", param: "id", code: "expert_not_found")
        }
        return ModelsController.json(ExpertVersionList(id: id, versions: versions, liveVersion: live?.record(id)?.version))
    }

    /// Deploys the `ExpertRelease` in the body; answers the new live release as `GET /v1/experts` shows it. 400 for a
    /// release that does not hold together or whose adapter does not fit (naming the expert and file), 404 for an
    /// unknown base model or a missing adapter file.
    func deploy(_ request: Request, context: some RequestContext) async throws -> Response {
        let experts = try state.requireExperts()
        let buffer = try await BodyLimitMiddleware<ServerRequestContext>.collect(request.body, limit: state.configuration.limits.maxBodyBytes)
        let release: ExpertRelease
        do {
            release = try JSONCoding.decode(ExpertRelease.self, from: buffer)
        } catch let error as ExpertRouterError {
            throw APIError.invalidParameter("'router' \(error.description)", param: "router", code: "invalid_release")
        }
        let live = try await experts.deploy(release)
        context.logger.info("experts deployed", metadata: ["deployment": "\(live.deployment)", "base": .string(live.base.id),
                                                           "experts": .string(Self.summary(live))])
        return ModelsController.json(try await listing(experts, live: live))
    }

    /// Puts one expert back to its previous version; answers the new live release. 404 for an unknown expert (or when
    /// nothing is deployed), 409 for an expert at its first version.
    func rollback(_ request: Request, context: some RequestContext) async throws -> Response {
        let experts = try state.requireExperts()
        let id = context.parameters.get("id") ?? ""
        let live = try await experts.rollback(id)
        context.logger.info("expert rolled back", metadata: ["expert": .string(id), "deployment": "\(live.deployment)",
                                                             "experts": .string(Self.summary(live))])
        return ModelsController.json(try await listing(experts, live: live))
    }

    private func listing(_ experts: ExpertService, live: LiveExperts?) async throws -> ExpertList {
        var versions: [String: [Int]] = [:]
        for expert in live?.release.experts ?? [] { versions[expert.id] = try experts.versions(of: expert.id).map(\.version) }
        return ExpertList(live, versions: versions, model: experts.modelID, problem: live == nil ? await experts.problem : nil)
    }

    /// `sql@2,support@1`.
    private static func summary(_ live: LiveExperts) -> String {
        live.release.experts.map { "\($0.id)@\($0.version)" }.joined(separator: ",")
    }
}
