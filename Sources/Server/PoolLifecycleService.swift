import Gateway
import Logging
import ServiceLifecycle

/// Starts the pool's preloading in the background when the server starts and, on graceful
/// shutdown (after the HTTP server has drained), lets in-flight generations finish and stops
/// every model.
struct PoolLifecycleService: Service {
    let state: ServerState
    let logger: Logger

    func run() async throws {
        let pool = state.pool
        let preload = Task { [state, logger] in
            let clock = ContinuousClock()
            let start = clock.now
            await pool.preload()
            state.markReady()
            logger.info("models ready after \(clock.now - start)")
        }
        try? await gracefulShutdown()
        state.markStopping()
        logger.info("shutting down: finishing in-flight generations")
        preload.cancel()
        await pool.shutdown(cancelInFlight: false)
        logger.info("all models stopped")
    }
}
