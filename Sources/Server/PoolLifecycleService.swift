import Gateway
import Logging
import ServiceLifecycle

/// Starts the pool's preloading (then the semantic cache's encoder) in the background when the server starts and, on graceful
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
            // The semantic cache's query encoder, so the first cacheable request does not pay its load.
            if state.cache != nil {
                do { _ = try await state.cacheKeys.embedder() } catch {
                    logger.warning("semantic cache encoder not loaded: \(error)")
                }
            }
        }
        try? await gracefulShutdown()
        state.markStopping()
        logger.info("shutting down: finishing in-flight generations")
        preload.cancel()
        await pool.shutdown(cancelInFlight: false)
        logger.info("all models stopped")
    }
}
