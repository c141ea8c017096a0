import Engine
import Foundation

/// Serves the mixture of LoRA experts: the live `ExpertRelease` (a base model, one LoRA adapter per expert and
/// the `ExpertRouter` that picks among them), its deployments and rollbacks.
///
/// ## Serving
/// A chat request with `model: "experts"` (the `experts.model_id` setting) is routed: its last user turn, the
/// previous user turn and the system prompt are embedded (`ExpertQueryEncoder` on the server's Q8_0 MiniLM, reusing
/// the semantic cache's vector of the same text) and the router picks an expert, whose adapter then answers on the
/// base model at scale 1 as the model `experts:ID` — with the expert's `system_prompt` prepended when the request has
/// no system message — or none, and the base model answers. With `model: "auto"` (or none) while a release is live,
/// the routed expert answers first and the usual tier candidates are its escalations; a none route is the usual
/// tier routing. Responses say what happened in `X-GroupQwen-Expert: ID|none` and in the `groupqwen` object's
/// `expert` (`id`, `version`, `confidence`, `runner_up`, `deployment`, `system_prompt_added`); the semantic cache
/// keys on the deployment and the expert's version, so answers never cross experts or deployments. Metrics:
/// `groupqwen_expert_routes_total{expert}` and `groupqwen_expert_routing_seconds` (embedding included).
///
/// ## Deploying
/// `POST /v1/experts/deploy` with an `ExpertRelease` (`ExpertRelease.jsonData()`, as `groupqwen experts build`
/// writes it; `adapter_fingerprint` may be empty, it is computed) checks the release, loads and checks every adapter
/// against the base model's header, then records the deployment in the registry (numbering versions: a changed
/// adapter gets the expert's next version) and swaps the live release in one step. `POST /v1/experts/{id}/rollback`
/// loads the expert's previous version and swaps the same way (409 at its first version). Requests already running
/// finish with the release they started with. `GET /v1/experts` shows the live release, `GET /v1/experts/{id}`
/// every stored version of one expert.
///
/// ## Storage and startup
/// The registry (`ExpertRegistry`) lives in the fine-tuning database (`training.path`; in memory when that is
/// `:memory:`), so deployments survive restarts. At startup (`start()`) the last deployment is loaded; one that can
/// no longer be served (its base model no longer configured, an adapter file gone or replaced) does not stop the
/// server: it serves no experts and `problem` says why until the next deployment.
///
/// Deployments and rollbacks run one at a time; adapters load on a detached task, off the request path.
public actor ExpertService {
    /// Every version and deployment.
    public nonisolated let registry: ExpertRegistry
    /// Turns a request into the router's input (its cache of embeddings is shared by every release).
    public nonisolated let encoder: ExpertQueryEncoder
    /// The model name that asks for expert routing (`experts`); an expert answers as `MODEL_ID:EXPERT`.
    public nonisolated let modelID: String
    let models: [ServedModel]
    let pool: ModelPool
    /// The release served now; nil when none is deployed or the last one cannot be served.
    public private(set) var live: LiveExperts?
    /// Why the registry's live release is not served (set by `start()`), or nil.
    public private(set) var problem: String?
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// A service on `registry` for the configured `models` (loaded from `pool`); the router's queries are embedded
    /// by `embeddings` (the server's Q8_0 MiniLM, as the semantic cache's keys). Serves nothing until `start()` or
    /// a deployment.
    public init(registry: ExpertRegistry, modelID: String = "experts", models: [ServedModel], pool: ModelPool,
                embeddings: EmbeddingProvider) {
        self.registry = registry
        self.modelID = modelID
        self.models = models
        self.pool = pool
        self.encoder = ExpertQueryEncoder(provider: embeddings)
    }

    /// Loads the registry's live release, if any. When it cannot be served the error is thrown (for the caller
    /// to log), `problem` says why and no experts are served.
    public func start() async throws(ExpertServiceError) {
        await beginChange()
        defer { endChange() }
        guard let current = try Self.registryCall({ () throws(ExpertRegistryError) in try registry.current() }) else { return }
        do {
            let loaded = try await load(current, stored: true)
            install(current, loaded)
            problem = nil
        } catch {
            live = nil
            problem = "deployment \(current.deployment) is not served: \(error.description)"
            throw error
        }
    }

    /// Checks and loads `release`, records it as the next deployment and makes it live; returns it as deployed.
    ///
    /// - Throws: `.registry(.invalidRelease)` for a release that does not hold together, `.unknownBaseModel` /
    ///   `.remoteBaseModel` for its base, `.routerMismatch`, `.adapterNotFound` / `.invalidAdapter` /
    ///   `.fingerprintMismatch` naming the expert and file. Nothing changes then.
    @discardableResult
    public func deploy(_ release: ExpertRelease) async throws(ExpertServiceError) -> LiveExperts {
        await beginChange()
        defer { endChange() }
        if let problem = release.problem { throw .registry(.invalidRelease(problem)) }
        var release = release
        let loaded = try await load(release, stored: false)
        for i in release.experts.indices { release.experts[i].adapterFingerprint = loaded.adapters[release.experts[i].id]!.fingerprint }
        let deployed = try Self.registryCall { () throws(ExpertRegistryError) in try registry.deploy(release) }
        problem = nil
        return install(deployed, loaded)
    }

    /// Puts expert `id` back to its previous version (loaded first), keeping the router and the other experts.
    ///
    /// - Throws: `.registry(.nothingDeployed)`, `.registry(.unknownExpert)`, `.registry(.noPreviousVersion)`, and the
    ///   load errors of `deploy` (`.fingerprintMismatch` when the old version's file was replaced since).
    @discardableResult
    public func rollback(_ id: String) async throws(ExpertServiceError) -> LiveExperts {
        await beginChange()
        defer { endChange() }
        let registry = registry
        guard var target = try Self.registryCall({ () throws(ExpertRegistryError) in try registry.current() }) else {
            throw .registry(.nothingDeployed)
        }
        guard let index = target.experts.firstIndex(where: { $0.id == id }) else {
            throw .registry(.unknownExpert(id, available: target.experts.map(\.id)))
        }
        let version = target.experts[index].version
        let stored = try Self.registryCall { () throws(ExpertRegistryError) in try registry.versions(of: id) }
        guard let previous = stored.last(where: { $0.version < version }) else {
            throw .registry(.noPreviousVersion(id: id, version: version))
        }
        target.experts[index] = previous
        var loaded = try await load(target, stored: true)
        let deployed = try Self.registryCall { () throws(ExpertRegistryError) in try registry.rollback(id) }
        // Another process may have deployed in between: then load what the registry made live.
        if deployed.experts.contains(where: { loaded.adapters[$0.id]?.fingerprint != $0.adapterFingerprint }) {
            loaded = try await load(deployed, stored: true)
        }
        problem = nil
        return install(deployed, loaded)
    }

    /// Every stored version of expert `id`, oldest first (empty for an id never deployed).
    public nonisolated func versions(of id: String) throws(ExpertServiceError) -> [ExpertRecord] {
        try Self.registryCall { () throws(ExpertRegistryError) in try registry.versions(of: id) }
    }

    // MARK: - Live state

    /// Makes `release` (as the registry deployed it) live with its loaded adapters, in one step.
    @discardableResult
    private func install(_ release: ExpertRelease, _ loaded: LoadedRelease) -> LiveExperts {
        var adapters: [String: RegisteredAdapter] = [:]
        for expert in release.experts {
            let file = loaded.adapters[expert.id]!
            let served = ServedAdapter(id: expert.id, path: expert.adapterPath, scale: 1, labels: ["expert"],
                                       description: expert.description, servedAs: "\(modelID):\(expert.id)")
            adapters[expert.id] = RegisteredAdapter(served: served, baseModel: loaded.base.id, adapter: file.adapter,
                                                    fingerprint: file.fingerprint, origin: .expert(id: expert.id, version: expert.version),
                                                    loadedAt: file.loadedAt, loadDuration: file.loadDuration)
        }
        let experts = LiveExperts(release: release, base: loaded.base, adapters: adapters, encoder: encoder)
        live = experts
        return experts
    }

    private func beginChange() async {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
    }

    /// Hands the turn to the next waiter (`busy` stays set), or frees it.
    private func endChange() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    static func registryCall<T>(_ body: () throws(ExpertRegistryError) -> T) throws(ExpertServiceError) -> T {
        do {
            return try body()
        } catch {
            throw .registry(error)
        }
    }
}
