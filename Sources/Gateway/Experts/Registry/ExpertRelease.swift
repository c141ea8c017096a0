import Foundation

/// A set of experts on one base model and the router that chooses among them: what `groupqwen experts build`
/// produces and `ExpertRegistry.deploy` (or `POST /v1/experts/deploy`) puts live, as one JSON document.
///
/// The router's `expertIDs` must all be experts of the release. A deployed release is immutable; a rollback
/// deploys a copy with one expert at an earlier version.
public struct ExpertRelease: Sendable, Equatable, Codable {
    /// The configured model every expert's adapter applies to.
    public var baseModel: String
    public var router: ExpertRouter
    /// The experts (each at one version), in the router's order.
    public var experts: [ExpertRecord]
    /// The router measured on held-out prompts (the build's numbers); nil when it was not measured.
    public var routerEvaluation: ExpertRouterEvaluation?
    /// 1, 2, …: the deployment that made this release live (set by the registry); 0 before.
    public var deployment: Int
    /// Unix time of that deployment.
    public var deployed: Int
    /// What made it: `build`, `rollback sql`, … (free text).
    public var origin: String

    public init(baseModel: String, router: ExpertRouter, experts: [ExpertRecord], routerEvaluation: ExpertRouterEvaluation? = nil,
                deployment: Int = 0, deployed: Int = 0, origin: String = "build") {
        self.baseModel = baseModel
        self.router = router
        self.experts = experts
        self.routerEvaluation = routerEvaluation
        self.deployment = deployment
        self.deployed = deployed
        self.origin = origin
    }

    private enum CodingKeys: String, CodingKey {
        case baseModel = "base_model", router, experts, routerEvaluation = "router_evaluation", deployment, deployed, origin
    }

    /// The expert of id `id`.
    public func expert(_ id: String) -> ExpertRecord? { experts.first { $0.id == id } }

    /// Why the release cannot be deployed, or nil: no experts, an invalid or repeated id, an expert of another base
    /// model, or a router expert without a record.
    public var problem: String? {
        guard !experts.isEmpty else { return "the release has no experts" }
        var seen: Set<String> = []
        for expert in experts {
            if let problem = ServedAdapter.problem(withID: expert.id) { return "expert id \(problem)" }
            guard seen.insert(expert.id).inserted else { return "expert '\(expert.id)' appears twice" }
            guard expert.baseModel == baseModel else {
                return "expert '\(expert.id)' is for model '\(expert.baseModel)', the release for '\(baseModel)'"
            }
        }
        if let missing = router.expertIDs.first(where: { !seen.contains($0) }) {
            return "the router routes to '\(missing)', which is not an expert of the release"
        }
        return nil
    }

    /// The release as JSON (sorted keys, pretty-printed).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A release from `jsonData()`'s output (or the body of `POST /v1/experts/deploy`).
    public init(jsonData: Data) throws(ExpertRegistryError) {
        do {
            self = try JSONDecoder().decode(ExpertRelease.self, from: jsonData)
        } catch {
            throw .invalidRelease("\(error)")
        }
    }
}
