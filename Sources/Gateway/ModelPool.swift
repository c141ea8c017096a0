import Engine
import Foundation
import ModelStore

/// The models the gateway serves: loads each on first use (or at startup when `preload` is set),
/// keeps loaded models within a memory budget by unloading the least recently used idle one, and
/// unloads models idle for longer than `keepAlive`.
public actor ModelPool {
    public let configuration: ModelPoolConfiguration
    private let store: ModelStore
    private var loaded: [String: LocalModel] = [:]
    private var loading: [String: Task<LocalModel, Error>] = [:]
    private var lastUsed: [String: ContinuousClock.Instant] = [:]
    private var failures: [String: String] = [:]
    /// True until `preload` has run, when any model is marked `preload`.
    private var preloading: Bool
    private var stopped = false

    public init(configuration: ModelPoolConfiguration, store: ModelStore = ModelStore()) {
        self.configuration = configuration
        self.store = store
        self.preloading = configuration.models.contains { $0.preload }
    }

    /// Ids of every configured model.
    public var modelIDs: [String] { configuration.models.map(\.id) }

    /// True once startup preloading has finished (successfully or not) and the pool takes requests.
    public var isReady: Bool { !preloading && !stopped }

    /// Snapshot of every configured model and whether it is loaded.
    public func statuses() -> [ModelStatus] {
        configuration.models.map { served in
            let model = loaded[served.id]
            let state: ModelStatus.State = model != nil ? .loaded : loading[served.id] != nil ? .loading : .available
            let load = model?.scheduler.load
            var status = ModelStatus(served: served, state: state, contextLength: model?.contextLength,
                                     estimatedBytes: model?.estimatedBytes, lastError: failures[served.id],
                                     loadedAt: model?.loadedAt, activeSequences: load?.active ?? 0, queuedRequests: load?.queued ?? 0)
            if let model { status.prefixCache = model.scheduler.prefixCacheStatistics }
            return status
        }
    }

    /// Loads the models marked `preload`; `isReady` is false until this returns.
    public func preload() async {
        defer { preloading = false }
        for served in configuration.models where served.preload {
            _ = try? await model(served.id)
        }
    }

    /// The loaded model for `id`, loading it first if needed. Concurrent callers share one load.
    public func model(_ id: String) async throws -> LocalModel {
        guard !stopped else { throw GatewayError.shuttingDown }
        guard let served = configuration.models.first(where: { $0.id == id }) else {
            throw GatewayError.unknownModel(id, available: modelIDs)
        }
        lastUsed[id] = .now
        if let model = loaded[id] { return model }
        if let task = loading[id] { return try await task.value }
        let task = Task { [store, configuration] () throws -> LocalModel in
            let path = try await Self.resolve(served, store: store, fetchMissing: configuration.fetchMissing)
            var draftPath: String?
            if let draft = served.draft {
                var drafted = served
                drafted.source = draft
                draftPath = try await Self.resolve(drafted, store: store, fetchMissing: configuration.fetchMissing)
            }
            return try await Task.detached(priority: .userInitiated) { [draftPath] in
                do {
                    return try LocalModel(served: served, path: path, threads: configuration.threads,
                                          maxQueued: configuration.maxQueuedPerModel,
                                          prefillTokensPerStep: configuration.prefillTokensPerStep,
                                          prefixCacheBytes: configuration.prefixCacheBytes, draftPath: draftPath)
                } catch {
                    throw GatewayError.loadFailed(model: served.id, reason: "\(error)")
                }
            }.value
        }
        loading[id] = task
        defer { loading[id] = nil }
        do {
            let model = try await task.value
            try await makeRoom(for: model)
            loaded[id] = model
            failures[id] = nil
            lastUsed[id] = .now
            return model
        } catch {
            failures[id] = "\(error)"
            throw error
        }
    }

    /// The hyperparameters of model `id`: the loaded model's, or else read from its file's header without
    /// loading it (the file is fetched first when it is a known model that is missing and `fetchMissing`
    /// is set). Does not count as a use of the model. Adapters are checked against it.
    public func modelConfiguration(_ id: String) async throws -> ModelConfiguration {
        guard let served = configuration.models.first(where: { $0.id == id }) else {
            throw GatewayError.unknownModel(id, available: modelIDs)
        }
        if let model = loaded[id] { return model.model.configuration }
        let path = try await Self.resolve(served, store: store, fetchMissing: configuration.fetchMissing)
        return try await Task.detached(priority: .userInitiated) {
            do {
                return try ModelLoader.configuration(path: path)
            } catch {
                throw GatewayError.loadFailed(model: id, reason: "\(error)")
            }
        }.value
    }

    /// The GGUF file of model `id` (fetched first when it is a known model that is missing and `fetchMissing` is
    /// set), without loading it: what the fine-tuning jobs train on.
    public func modelPath(_ id: String) async throws -> String {
        guard let served = configuration.models.first(where: { $0.id == id }) else {
            throw GatewayError.unknownModel(id, available: modelIDs)
        }
        return try await Self.resolve(served, store: store, fetchMissing: configuration.fetchMissing)
    }

    /// Unloads models idle for longer than `keepAlive`. Returns the ids it unloaded.
    @discardableResult
    public func unloadIdle(now: ContinuousClock.Instant = .now) async -> [String] {
        guard let keepAlive = configuration.keepAlive else { return [] }
        var unloaded: [String] = []
        for (id, model) in loaded where !model.isBusy && now - (lastUsed[id] ?? now) >= keepAlive {
            await unload(id)
            unloaded.append(id)
        }
        return unloaded
    }

    /// Unloads `id` now, letting its running requests finish first.
    public func unload(_ id: String) async {
        guard let model = loaded.removeValue(forKey: id) else { return }
        await model.scheduler.shutdown(cancelInFlight: false)
    }

    /// Stops every model. With `cancelInFlight` false running generations finish first.
    public func shutdown(cancelInFlight: Bool) async {
        stopped = true
        let models = loaded
        loaded.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for model in models.values {
                group.addTask { await model.scheduler.shutdown(cancelInFlight: cancelInFlight) }
            }
        }
    }

    /// Evicts least recently used idle models until `model` fits the budget.
    private func makeRoom(for model: LocalModel) async throws {
        guard let budget = configuration.memoryBudgetBytes else { return }
        var used = loaded.values.reduce(Int64(0)) { $0 + $1.estimatedBytes }
        let byAge = loaded.keys.sorted { (lastUsed[$0] ?? .now) < (lastUsed[$1] ?? .now) }
        for id in byAge where used + model.estimatedBytes > budget {
            guard let candidate = loaded[id], !candidate.isBusy else { continue }
            used -= candidate.estimatedBytes
            await unload(id)
        }
        guard used + model.estimatedBytes <= budget else {
            await model.scheduler.shutdown(cancelInFlight: true)
            throw GatewayError.insufficientMemory(model: model.id, neededBytes: model.estimatedBytes, budgetBytes: budget)
        }
    }

    private static func resolve(_ served: ServedModel, store: ModelStore, fetchMissing: Bool) async throws -> String {
        do {
            if fetchMissing, ModelCatalog.descriptor(for: served.source) != nil, store.localPath(for: served.source) == nil {
                return try await store.fetch(served.source).path
            }
            return try store.resolve(served.source).path
        } catch {
            throw GatewayError.loadFailed(model: served.id, reason: "\(error)")
        }
    }
}

/// What `/v1/models` shows about one model.
public struct ModelStatus: Sendable {
    public enum State: String, Sendable { case available, loading, loaded }
    public let served: ServedModel
    public let state: State
    public let contextLength: Int?
    public let estimatedBytes: Int64?
    public let lastError: String?
    public let loadedAt: Date?
    /// Sequences generating on the model's scheduler (0 when not loaded).
    public let activeSequences: Int
    /// Requests waiting for a slot.
    public let queuedRequests: Int
    /// What the model's prefix cache saved since it was loaded (zeros when not loaded).
    public var prefixCache = PrefixCacheStatistics()
}
