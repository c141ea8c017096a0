import Gateway
import Logging
import ServiceLifecycle

/// Checks every remote backend's `/models` every `interval`: a healthy answer closes an open circuit (the
/// backend is back in rotation), a failure counts towards opening it. Logs each change of state.
struct RemoteHealthService: Service {
    let backends: [RemoteBackend]
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var wasUp: [String: Bool] = [:]
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            for backend in backends {
                let up = await backend.checkHealth()
                if wasUp[backend.modelID] != up {
                    logger.info("remote backend '\(backend.modelID)' at \(backend.endpoint.url) is \(up ? "up" : "down")")
                    wasUp[backend.modelID] = up
                }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
