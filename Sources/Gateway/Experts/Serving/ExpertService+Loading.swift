import Engine
import Foundation

extension ExpertService {
    /// One expert's adapter, loaded and checked against the base model.
    struct LoadedAdapter: Sendable {
        let adapter: LoRAAdapter
        /// SHA-256 of the file(s), as `AdapterRegistry.fingerprint(path:)`.
        let fingerprint: String
        let loadedAt: Date
        let loadDuration: Duration
    }

    /// A release's base model and every expert's adapter, by expert id, ready to go live.
    struct LoadedRelease: Sendable {
        let base: ServedModel
        let adapters: [String: LoadedAdapter]
    }

    /// Checks `release` against this server (base model configured and local, router on this embedding model) and
    /// loads every expert's adapter against the base's header, on a detached task. An adapter the live release
    /// already serves with the same fingerprint and path is reused. A record's non-empty `adapterFingerprint` must
    /// match the file (a release being deployed may leave it empty); `stored`: the records are stored versions (a
    /// mismatch means the file was replaced since).
    func load(_ release: ExpertRelease, stored: Bool) async throws(ExpertServiceError) -> LoadedRelease {
        guard let base = models.first(where: { $0.id == release.baseModel }) else {
            throw .unknownBaseModel(release.baseModel, available: models.filter { $0.remote == nil }.map(\.id))
        }
        guard base.remote == nil else { throw .remoteBaseModel(base.id) }
        let router = release.router
        guard router.embeddingModel == EmbeddingProvider.modelID else {
            throw .routerMismatch("it was trained on '\(router.embeddingModel)' embeddings; this server embeds with '\(EmbeddingProvider.modelID)'")
        }
        guard router.dimension == EmbeddingProvider.dimension else {
            throw .routerMismatch("it takes \(router.dimension)-value embeddings; \(EmbeddingProvider.modelID) gives \(EmbeddingProvider.dimension)")
        }
        let configuration: ModelConfiguration
        do {
            configuration = try await pool.modelConfiguration(base.id)
        } catch let GatewayError.unknownModel(id, available) {
            throw .unknownBaseModel(id, available: available)
        } catch {
            throw .baseUnavailable(model: base.id, reason: "\(error)")
        }
        var adapters: [String: LoadedAdapter] = [:]
        for expert in release.experts {
            let expected = expert.adapterFingerprint
            if !expected.isEmpty, let current = live?.adapters[expert.id], current.baseModel == base.id,
               current.fingerprint == expected, current.served.path == expert.adapterPath {
                adapters[expert.id] = LoadedAdapter(adapter: current.adapter, fingerprint: current.fingerprint,
                                                    loadedAt: current.loadedAt, loadDuration: current.loadDuration)
                continue
            }
            let loaded = try await Self.loadAdapter(expert, configuration: configuration)
            if !expected.isEmpty, loaded.fingerprint != expected {
                throw .fingerprintMismatch(expert: expert.id, version: stored ? expert.version : 0, path: expert.adapterPath,
                                           expected: expected, found: loaded.fingerprint)
            }
            adapters[expert.id] = loaded
        }
        return LoadedRelease(base: base, adapters: adapters)
    }

    /// Loads `expert`'s adapter file and computes its fingerprint, off the actor.
    static func loadAdapter(_ expert: ExpertRecord, configuration: ModelConfiguration) async throws(ExpertServiceError) -> LoadedAdapter {
        let path = expert.adapterPath, id = expert.id
        guard FileManager.default.fileExists(atPath: (path as NSString).expandingTildeInPath) else {
            throw .adapterNotFound(expert: id, path: path)
        }
        let started = ContinuousClock.now
        let result = await Task.detached(priority: .utility) { () -> Result<LoadedAdapter, ExpertServiceError> in
            do {
                let adapter = try LoRAAdapter.load(path: path, for: configuration, name: id)
                let fingerprint = try AdapterRegistry.fingerprint(path: path)
                return .success(LoadedAdapter(adapter: adapter, fingerprint: fingerprint, loadedAt: Date(), loadDuration: .now - started))
            } catch let error as LoRAError {
                return .failure(.invalidAdapter(expert: id, path: path, error))
            } catch {
                return .failure(.invalidAdapter(expert: id, path: path, .cannotOpen(path: path, reason: "\(error)")))
            }
        }.value
        return try result.get()
    }
}
