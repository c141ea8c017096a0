import Foundation
import LanguageID
import ModelStore

/// Language identification for the server (`/v1/detect-language`, routing by language, cache context): the
/// `lingua-profiles` are loaded on first use — fetched first when missing and fetching is allowed, compiled once
/// into their table — and kept for the life of the process (memory-mapped). Concurrent first callers share one load;
/// a failed load is retried by the next caller.
public actor LanguageProvider {
    private let store: ModelStore
    private let fetchMissing: Bool
    private let load = LoadOnce<LanguageIdentifier>()
    private var lastFailure: ContinuousClock.Instant?
    private var backgroundLoadRunning = false

    public init(store: ModelStore = ModelStore(), fetchMissing: Bool = true) {
        self.store = store
        self.fetchMissing = fetchMissing
    }

    /// The identifier, loading it first if needed.
    public func identifier() async throws -> LanguageIdentifier {
        try await load.value { [store, fetchMissing] () throws -> LanguageIdentifier in
            let id = LanguageIdentifier.profilesModelID
            if store.localPath(for: id) == nil {
                guard fetchMissing else {
                    throw GatewayError.loadFailed(model: id, reason: "not in the model store; run `groupqwen models fetch \(id)`")
                }
                _ = try await store.fetch(id) { _ in }
            }
            let directory = store.modelDirectory(for: id)
            return try await Task.detached(priority: .userInitiated) {
                do {
                    return try LanguageIdentifier(profiles: directory)
                } catch {
                    throw GatewayError.loadFailed(model: id, reason: "\(error)")
                }
            }.value
        }
    }

    /// The identifier when it can be had at once: already loaded, or compiled and only to be mapped. Otherwise nil,
    /// and a background load (fetch, compile) starts — at most once every ten minutes after a failure.
    public func quickIdentifier() async -> LanguageIdentifier? {
        if let loaded = await load.current { return loaded }
        if LanguageIdentifier.isCompiled(profiles: store.modelDirectory(for: LanguageIdentifier.profilesModelID)) {
            return try? await identifier()
        }
        if !backgroundLoadRunning, lastFailure.map({ ContinuousClock.now - $0 > .seconds(600) }) ?? true {
            backgroundLoadRunning = true
            Task {
                do { _ = try await self.identifier() } catch { self.recordFailure() }
                self.backgroundLoadFinished()
            }
        }
        return nil
    }

    private func recordFailure() { lastFailure = .now }
    private func backgroundLoadFinished() { backgroundLoadRunning = false }
}
