import Logging
import ServiceLifecycle

/// Owns the fine-tuning job runner: runs queued jobs one at a time while the server runs; on graceful shutdown
/// the running job stops after its current step with a checkpoint (and stays `running`, so the next start
/// resumes it), then the service returns.
struct FineTuningService: Service {
    let jobs: FineTuningJobs

    func run() async throws {
        await withGracefulShutdownHandler {
            await jobs.runQueue()
        } onGracefulShutdown: {
            jobs.shutdown()
        }
    }
}
