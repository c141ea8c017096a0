import Engine
import FineTuning
import Foundation
import Gateway
import Logging
import Training

/// The job runner: validation of a new job's files, the queue (one job at a time, resumed ones first), the
/// trainer on a dedicated thread, and what a run's outcome does to its job.
extension FineTuningJobs {
    // MARK: - Validation

    /// Checks a job's settings and files the way the trainer will (every data line, before any model is loaded)
    /// off the concurrency pool, then queues it (or fails it with the trainer's message).
    func startValidation(_ job: JobRecord) {
        var inserted = false
        state.update { inserted = $0.validating.insert(job.id).inserted }
        guard inserted else { return }
        Task { [self] in
            defer { state.update { _ = $0.validating.remove(job.id) } }
            let outcome: Result<Void, any Error>
            do {
                let modelPath = try await pool.modelPath(job.model)
                let settings = job.settings
                try await DedicatedThread.run(name: "groupqwen-validate") { _ = try Trainer(configuration: settings, modelPath: modelPath) }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            let now = now
            switch outcome {
            case .success:
                let queued = try? store.update(job.id) { j in
                    guard j.status == .validatingFiles else { return false }
                    j.status = .queued
                    return true
                }
                guard queued?.status == .queued else { return }
                try? store.addEvent(job: job.id, message: "Files validated, moving job to queued state", now: now)
                wake.yield()
            case let .failure(error):
                fail(job.id, error: error)
            }
        }
    }

    /// Marks a job `failed` with OpenAI's `error` object (the trainer's message in one line, naming the job's files
    /// by their ids rather than by where this server keeps them).
    private func fail(_ id: String, error: any Error) {
        var named = Self.jobError(error)
        if let job = try? store.job(id) {
            for fileID in [job.trainingFile, job.validationFile].compactMap({ $0 }) {
                if let path = try? store.file(fileID)?.path { named.message = named.message.replacingOccurrences(of: path, with: fileID) }
            }
        }
        let jobError = named
        let now = now
        let failed = try? store.update(id) { job in
            guard !job.status.isFinal else { return false }
            job.status = .failed
            job.error = jobError
            job.finishedAt = now
            job.estimatedFinish = nil
            return true
        }
        wake.yield()   // the next job may be waiting for this one's turn
        guard failed?.status == .failed, failed?.error == jobError else { return }
        try? store.addEvent(job: id, level: "error", message: "Fine-tuning job failed: \(jobError.message)", now: now)
        logger.warning("fine-tuning job failed", metadata: ["job": .string(id), "error": .string(jobError.message)])
    }

    /// The `error` of a failed job: a code by kind of failure and the message in one line.
    static func jobError(_ error: any Error) -> JobError {
        let message = "\(error)".split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
        switch error {
        case is TrainingDataError: return JobError(code: "invalid_training_file", message: message, param: "training_file")
        case is TrainingConfigurationError: return JobError(code: "invalid_hyperparameters", message: message, param: "hyperparameters")
        case is APIError, is FineTuningError, is AdapterRegistryError:
            let api = APIError.from(error)
            return JobError(code: api.code ?? "error", message: api.message, param: api.param)
        case is GatewayError: return JobError(code: "model_unavailable", message: message, param: "model")
        default: return JobError(code: "training_failed", message: message, param: nil)
        }
    }

    // MARK: - Startup and the runner

    /// Before serving: registers the adapters of succeeded jobs again (`fine_tuned_model` answers at once) and
    /// restarts the validation of jobs a stopped server left in `validating_files`. Jobs left `running` or
    /// `queued` are picked up by the runner (running ones resume from their last checkpoint).
    public func prepare() async {
        do {
            for job in try store.jobs(withStatus: [.succeeded]) where job.fineTunedModel != nil {
                do {
                    try await register(job)
                } catch {
                    logger.warning("fine-tuned model not served", metadata: ["model": .string(job.servedAs), "error": .string("\(error)")])
                }
            }
            for job in try store.jobs(withStatus: [.validatingFiles]) { startValidation(job) }
            let waiting = try store.jobs(withStatus: [.running, .queued])
            if !waiting.isEmpty {
                logger.info("fine-tuning jobs waiting", metadata: ["jobs": .string(waiting.map { "\($0.id) (\($0.status.rawValue))" }.joined(separator: ", "))])
            }
        } catch {
            logger.error("fine-tuning database unreadable: \(error)")
        }
    }

    /// Serves a succeeded job's adapter as its `fine_tuned_model` (no-op when it already is).
    private func register(_ job: JobRecord) async throws {
        guard let base = models.first(where: { $0.id == job.model }) else {
            throw AdapterRegistryError.unknownModel(job.model, available: models.map(\.id))
        }
        if await adapters.catalog.adapter(modelID: job.servedAs) != nil { return }
        let served = ServedAdapter(id: job.id, path: URL(fileURLWithPath: job.output).appendingPathComponent("adapter.gguf").path,
                                   description: "fine-tuned by \(job.id)" + (job.suffix.map { " (\($0))" } ?? ""),
                                   servedAs: job.servedAs)
        _ = try await adapters.add(served, to: base, pool: pool, origin: .fineTuning(job: job.id))
    }

    /// Runs jobs one at a time until ``shutdown()``: the oldest job left `running` (resumed) first, then the others in
    /// creation order (a job still validating its files holds its place). Returns once the job running at shutdown has
    /// stopped after its step.
    func runQueue() async {
        var wakeups = wakeStream.makeAsyncIterator()
        while !state.value.shuttingDown {
            let next: JobRecord?
            do { next = try store.nextInLine() } catch {
                logger.error("fine-tuning database unreadable: \(error)")
                next = nil
            }
            // An older job still validating keeps its place: its validation wakes the runner when it ends.
            if let next, next.status != .validatingFiles {
                await execute(next)
            } else {
                _ = await wakeups.next()
            }
        }
    }

    /// Stops the runner: the running job stops after its current step with a checkpoint and stays `running`.
    func shutdown() {
        state.update { $0.shuttingDown = true }
        wake.yield()
    }

    /// The job running now, if any.
    var runningJob: String? { state.value.current }

    private func execute(_ queued: JobRecord) async {
        let id = queued.id
        let resuming = queued.status == .running
        let now = now
        guard let job = try? store.update(id, { job in
            guard job.status == .queued || job.status == .running else { return false }
            job.status = .running
            job.startedAt = job.startedAt ?? now
            return true
        }), job.status == .running else { return }
        state.update { $0.current = id }
        defer { state.update { $0.current = nil } }
        try? store.addEvent(job: id, message: resuming ? "Fine-tuning job resumed after a restart" : "Fine-tuning job started", now: now)
        logger.info("fine-tuning job \(resuming ? "resumed" : "started")", metadata: ["job": .string(id)])

        let outcome: Result<TrainingSummary, any Error>
        do {
            let modelPath = try await pool.modelPath(job.model)
            var settings = job.settings
            settings.threads = configuration.threads   // the current cap (threads are not part of a checkpoint's fingerprint)
            let activationBytes = configuration.activationMemoryMB << 20
            let recorder = JobProgressRecorder(store: store, job: job)
            outcome = .success(try await DedicatedThread.run(name: "groupqwen-train-\(id)") { [state, settings] in
                let trainer = try Trainer(configuration: settings, modelPath: modelPath)
                trainer.activationBudget = activationBytes
                try TrainingRunFiles.saveSettings(settings, to: URL(fileURLWithPath: settings.output))
                return try trainer.run(resume: true, events: recorder.handle, shouldStop: {
                    let s = state.value
                    return s.shuttingDown || s.cancelled.contains(id)
                })
            })
        } catch {
            outcome = .failure(error)
        }
        let current = (try? store.job(id)) ?? job
        switch outcome {
        case let .failure(error):
            if current.status == .cancelled { return }
            fail(id, error: error)
        case let .success(summary):
            if current.status == .cancelled {
                try? store.addEvent(job: id, message: "Training stopped after step \(summary.steps) of \(summary.totalSteps); the job is cancelled",
                                    now: self.now)
            } else if !summary.completed {
                try? store.addEvent(job: id, level: "warn",
                                    message: "The server is stopping: training paused after step \(summary.steps) of \(summary.totalSteps) "
                                        + "with a checkpoint; it resumes when the server starts again", now: self.now)
                logger.info("fine-tuning job paused for shutdown", metadata: ["job": .string(id), "step": .stringConvertible(summary.steps)])
            } else {
                await finish(current, summary: summary)
            }
        }
    }

    /// A completed run: the metrics CSV becomes a result file, the adapter is served, the job `succeeded`.
    private func finish(_ job: JobRecord, summary: TrainingSummary) async {
        let id = job.id
        var resultFiles: [String] = []
        do {
            resultFiles.append(try storeResults(of: job).id)
        } catch {
            logger.warning("fine-tuning results file not written", metadata: ["job": .string(id), "error": .string("\(error)")])
        }
        do {
            try await register(job)
        } catch {
            fail(id, error: APIError(status: .internalServerError, message: "the trained adapter could not be served: \(error)",
                                     type: "server_error", code: "adapter_load_failed"))
            return
        }
        let now = now
        let results = resultFiles
        let finished = try? store.update(id) { j in
            guard j.status == .running else { return false }
            j.status = .succeeded
            j.fineTunedModel = j.servedAs
            j.finishedAt = now
            j.estimatedFinish = nil
            j.trainedTokens = j.tokens
            j.resultFiles = results
            return true
        }
        guard finished?.status == .succeeded else {
            // Cancelled while the adapter was written: do not serve it.
            await adapters.remove(modelID: job.servedAs)
            return
        }
        try? store.addEvent(job: id, message: "New fine-tuned model created: \(job.servedAs)", now: now)
        try? store.addEvent(job: id, message: "The job has successfully completed", now: now)
        logger.info("fine-tuning job succeeded", metadata: ["job": .string(id), "model": .string(job.servedAs),
                                                            "steps": .stringConvertible(summary.steps)])
    }

    /// `step_metrics.csv` (purpose `fine-tune-results`) from the run's `metrics.jsonl`.
    private func storeResults(of job: JobRecord) throws -> FileRecord {
        let records = try MetricsLog(output: URL(fileURLWithPath: job.output)).records()
        func number(_ x: Double?) -> String { x.map { $0.isFinite ? "\($0)" : "" } ?? "" }
        var csv = "step,train_loss,valid_loss,learning_rate,grad_norm,tokens_per_second,elapsed_seconds\n"
        for r in records {
            csv += "\(r.step),\(number(r.loss)),\(number(r.valLoss)),\(number(r.learningRate)),\(number(r.gradNorm)),"
                + "\(number(r.tokensPerSecond)),\(number(r.elapsedSeconds))\n"
        }
        let id = ObjectID.make("file")
        let url = configuration.filesDirectory.appendingPathComponent("\(id).csv")
        try Data(csv.utf8).write(to: url, options: .atomic)
        let record = FileRecord(id: id, filename: "step_metrics.csv", purpose: "fine-tune-results", bytes: csv.utf8.count,
                                createdAt: now, path: url.path, examples: 0, owner: job.owner)
        try store.insert(record)
        return record
    }
}
