import Gateway
import Logging
import ServiceLifecycle

/// Unloads models idle for longer than the pool's keep-alive, checking every `interval`.
struct IdleUnloadService: Service {
    let pool: ModelPool
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            for id in await pool.unloadIdle() {
                logger.info("unloaded idle model '\(id)'")
            }
        }
    }
}
