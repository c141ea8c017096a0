import Engine
import FineTuning
import Foundation
import Gateway
import Logging
import Training

/// OpenAI's Files and Fine-tuning APIs on the native LoRA trainer: uploaded files, jobs and their runner.
///
/// Files are validated on upload and kept in `DIRECTORY/files/`; jobs, events, checkpoints and file metadata
/// live in SQLite (``FineTuningStore``). Jobs run one at a time, in creation order, each on a dedicated thread
/// with `threads` trainer threads (``runQueue()``, driven by ``FineTuningService``). A job moves
/// `validating_files` → `queued` → `running` → `succeeded` | `failed` | `cancelled`; a succeeded job's adapter
/// is served at once as `ft:BASE:SUFFIX:JOBID` and registered again at every start (``prepare()``).
///
/// Stopping: a cancel marks the job `cancelled` at once and the trainer stops after its current step (with a
/// checkpoint). Graceful shutdown stops the running job the same way but leaves it `running`, so the next
/// start resumes it from that checkpoint; `queued` jobs simply stay queued.
public final class FineTuningJobs: Sendable {
    let configuration: FineTuningConfiguration
    let store: FineTuningStore
    let models: [ServedModel]
    let pool: ModelPool
    let adapters: AdapterRegistry
    let logger: Logger
    private let state = LockedValue(RunnerState())
    private let wakeStream: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    struct RunnerState: Sendable {
        /// The job the trainer runs now.
        var current: String?
        /// Jobs cancelled (the trainer polls this after every step).
        var cancelled: Set<String> = []
        var shuttingDown = false
        /// Validations running, by job id.
        var validating: Set<String> = []
    }

    /// Opens (or creates) the database and the folders of `configuration`. `models` are the configured models
    /// (jobs train local ones), `adapters` the registry succeeded jobs are served from.
    public init(configuration: FineTuningConfiguration, models: [ServedModel], pool: ModelPool, adapters: AdapterRegistry,
                logger: Logger = Logger(label: "groupqwen.fine-tuning")) throws {
        self.configuration = configuration
        self.models = models
        self.pool = pool
        self.adapters = adapters
        self.logger = logger
        store = try FineTuningStore(path: configuration.databasePath)
        try FileManager.default.createDirectory(at: configuration.filesDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: configuration.jobsDirectory, withIntermediateDirectories: true)
        (wakeStream, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var now: Int { Int(Date().timeIntervalSince1970) }

    // MARK: - Files

    /// Validates an upload written to `temporary` (a training file: OpenAI chat JSONL) and stores it; the
    /// temporary file is moved into place or deleted. 400 naming the first bad lines (`line N: reason`).
    func storeUpload(temporary: URL, filename: String, purpose: String) async throws -> FileRecord {
        var moved = false
        defer { if !moved { try? FileManager.default.removeItem(at: temporary) } }
        let lines = try await DedicatedThread.run(name: "groupqwen-validate") {
            try Self.validateTrainingFile(temporary, filename: filename)
        }
        let id = ObjectID.make("file")
        let destination = configuration.filesDirectory.appendingPathComponent("\(id).jsonl")
        try FileManager.default.moveItem(at: temporary, to: destination)
        moved = true
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: destination.path))?[.size] as? NSNumber)?.intValue ?? 0
        let record = FileRecord(id: id, filename: filename, purpose: purpose, bytes: bytes, createdAt: now, path: destination.path,
                                examples: lines)
        do { try store.insert(record) } catch {
            try? FileManager.default.removeItem(at: destination)
            throw error
        }
        return record
    }

    /// The lines of a valid training file; 400 with the first bad lines otherwise.
    static func validateTrainingFile(_ url: URL, filename: String) throws -> Int {
        func invalid(_ detail: String) -> APIError {
            .invalidParameter("the file '\(filename)' is not valid fine-tuning data (OpenAI chat JSONL, one {\"messages\": [...]} "
                              + "per line): \(detail)", param: "file", code: "invalid_file")
        }
        let result: DatasetValidator.Result
        do { result = try DatasetValidator().validate(file: url) } catch { throw invalid("\(error)") }
        if !result.problems.isEmpty {
            let shown = 5
            var lines = result.problems.prefix(shown).map { $0.line > 0 ? "line \($0.line): \($0.reason)" : $0.reason }
            if result.problems.count > shown { lines.append("… \(result.badLines) bad lines in all") }
            throw invalid(lines.joined(separator: "; "))
        }
        switch result.formats[url.path] {
        case .openai?, .mlx?: return result.lines
        case .sharegpt?: throw invalid("line 1: a ShareGPT record ({\"conversations\": …}); convert it with `groupqwen data import --from sharegpt`")
        case .alpaca?: throw invalid("line 1: an Alpaca record ({\"instruction\": …}); convert it with `groupqwen data import --from alpaca`")
        case nil: throw invalid("the file holds no examples")
        }
    }

    func file(_ id: String, param: String = "file_id") throws -> FileRecord {
        guard let file = try store.file(id) else {
            throw APIError(status: .notFound, message: "no file with id '\(id)'", type: "invalid_request_error", param: param,
                           code: "file_not_found")
        }
        return file
    }

    func files(after: String?, limit: Int, purpose: String?, ascending: Bool) throws -> FineTuningStore.Page<FileRecord> {
        try store.files(after: after, limit: limit, purpose: purpose, ascending: ascending)
    }

    /// Deletes file `id` and its bytes; 409 while a job that is not finished reads it.
    func deleteFile(_ id: String) throws -> FileRecord {
        let file = try file(id)
        if let job = try store.activeJobs(usingFile: id).first {
            throw APIError(status: .conflict, message: "the file '\(id)' is used by fine-tuning job '\(job.id)' (\(job.status.rawValue)); "
                           + "cancel the job or wait for it to finish first", type: "invalid_request_error", param: "file_id",
                           code: "file_in_use")
        }
        _ = try store.deleteFile(id)
        try? FileManager.default.removeItem(atPath: file.path)
        return file
    }

    // MARK: - Jobs

    /// Creates a job from `request` (status `validating_files`) and starts validating its files. 404 for an
    /// unknown model or file, 400 naming the parameter for a bad hyperparameter, suffix or seed.
    func create(_ request: FineTuningJobRequest) async throws -> JobRecord {
        guard let base = models.first(where: { $0.id == request.model }) else {
            throw APIError.modelNotFound(request.model, available: models.filter { $0.remote == nil }.map(\.id))
        }
        guard base.remote == nil else {
            throw APIError.invalidParameter("the model '\(base.id)' is served by a remote backend; fine-tuning trains models this "
                                            + "server runs", param: "model")
        }
        let (hyperparameters, lora, training) = try request.resolve()
        if let suffix = request.suffix, let problem = FineTuningJobRequest.problem(withSuffix: suffix) {
            throw APIError.invalidParameter("'suffix' \(problem)", param: "suffix")
        }
        if let seed = request.seed, seed < 0 || seed > Int(Int32.max) {
            throw APIError.invalidParameter("'seed' must be an integer in 0…2147483647 (got \(seed))", param: "seed")
        }
        let trainingFile = try file(request.trainingFile, param: "training_file")
        let validationFile = try request.validationFile.map { try file($0, param: "validation_file") }
        for (file, param) in [(trainingFile, "training_file"), (validationFile, "validation_file")] {
            if let file, file.purpose != "fine-tune" {
                throw APIError.invalidParameter("the file '\(file.id)' has purpose '\(file.purpose)'; '\(param)' needs a file uploaded "
                                                + "with purpose 'fine-tune'", param: param)
            }
        }
        let id = ObjectID.make("ftjob")
        let output = configuration.jobsDirectory.appendingPathComponent(id, isDirectory: true)
        let seed = request.seed ?? Int.random(in: 0...Int(Int32.max))
        var settings = TrainingConfiguration()
        settings.model = base.id
        settings.data = trainingFile.path
        settings.valid = validationFile?.path
        settings.output = output.path
        settings.rank = lora.rank
        settings.alpha = lora.alpha
        settings.dropout = lora.dropout
        settings.targets = lora.targets.compactMap(LoRATarget.init(name:))
        settings.epochs = hyperparameters.nEpochs
        settings.batchSize = hyperparameters.batchSize
        settings.learningRate = FineTuningJobRequest.baseLearningRate * hyperparameters.learningRateMultiplier
        settings.maxSeqLen = training.maxSeqLen
        settings.maxSteps = training.maxSteps
        settings.evalEvery = training.evalEvery
        settings.saveEvery = training.saveEvery
        settings.seed = UInt64(seed)
        settings.threads = configuration.threads
        do { try settings.validate() } catch {
            throw APIError.invalidParameter("invalid fine-tuning settings: \(error)", param: nil, code: "invalid_hyperparameters")
        }
        let job = JobRecord(
            id: id, model: base.id, trainingFile: trainingFile.id, validationFile: validationFile?.id, status: .validatingFiles,
            createdAt: now, servedAs: "ft:\(base.id):\(request.suffix ?? ""):\(id)", suffix: request.suffix, seed: seed,
            hyperparameters: hyperparameters, lora: lora, training: training, metadata: request.metadata, settings: settings,
            output: output.path, resultFiles: [], step: 0, tokens: 0)
        try store.insert(job)
        try store.addEvent(job: id, message: "Created fine-tuning job: \(id)", now: now)
        try store.addEvent(job: id, message: "Validating training file: \(trainingFile.id)"
                           + (validationFile.map { " and validation file: \($0.id)" } ?? ""), now: now)
        logger.info("fine-tuning job created", metadata: ["job": .string(id), "model": .string(base.id)])
        startValidation(job)
        return job
    }

    func job(_ id: String) throws -> JobRecord {
        guard let job = try store.job(id) else {
            throw APIError(status: .notFound, message: "no fine-tuning job with id '\(id)'", type: "invalid_request_error",
                           param: "fine_tuning_job_id", code: "fine_tuning_job_not_found")
        }
        return job
    }

    func jobs(after: String?, limit: Int) throws -> FineTuningStore.Page<JobRecord> { try store.jobs(after: after, limit: limit) }

    func events(job id: String, after: String?, limit: Int) throws -> FineTuningStore.Page<EventRecord> {
        _ = try job(id)
        return try store.events(job: id, after: after, limit: limit)
    }

    func checkpoints(job id: String, after: String?, limit: Int) throws -> FineTuningStore.Page<CheckpointRecord> {
        _ = try job(id)
        return try store.checkpoints(job: id, after: after, limit: limit)
    }

    /// Cancels job `id`: it is `cancelled` at once; a running trainer stops after its current step. 409 for a
    /// job that already finished.
    func cancel(_ id: String) throws -> JobRecord {
        let before = try job(id)
        let now = now
        guard let job = try store.update(id, { job in
            guard !job.status.isFinal else { return false }
            job.status = .cancelled
            job.finishedAt = now
            job.estimatedFinish = nil
            return true
        }), job.status == .cancelled, !before.status.isFinal else {
            throw APIError(status: .conflict, message: "the fine-tuning job '\(id)' is already \(before.status.rawValue) and cannot be cancelled",
                           type: "invalid_request_error", param: "fine_tuning_job_id", code: "job_not_cancellable")
        }
        let running = state.value.current == id
        state.update { $0.cancelled.insert(id) }
        try store.addEvent(job: id, message: running ? "Cancelling: the trainer stops after its current step" : "Fine-tuning job cancelled",
                           now: now)
        logger.info("fine-tuning job cancelled", metadata: ["job": .string(id), "was": .string(before.status.rawValue)])
        return job
    }

    // MARK: - Validation

    /// Checks a job's settings and files the way the trainer will (every data line, before any model is loaded)
    /// off the concurrency pool, then queues it (or fails it with the trainer's message).
    private func startValidation(_ job: JobRecord) {
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

    /// Marks a job `failed` with OpenAI's `error` object (the trainer's message in one line).
    private func fail(_ id: String, error: any Error) {
        let jobError = Self.jobError(error)
        let now = now
        let failed = try? store.update(id) { job in
            guard !job.status.isFinal else { return false }
            job.status = .failed
            job.error = jobError
            job.finishedAt = now
            job.estimatedFinish = nil
            return true
        }
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
        case let error as APIError: return JobError(code: error.code ?? "error", message: error.message, param: error.param)
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
            throw APIError.modelNotFound(job.model, available: models.map(\.id))
        }
        if await adapters.catalog.adapter(modelID: job.servedAs) != nil { return }
        let served = ServedAdapter(id: job.id, path: URL(fileURLWithPath: job.output).appendingPathComponent("adapter.gguf").path,
                                   description: "fine-tuned by \(job.id)" + (job.suffix.map { " (\($0))" } ?? ""),
                                   servedAs: job.servedAs)
        _ = try await adapters.add(served, to: base, pool: pool, origin: .fineTuning(job: job.id))
    }

    /// Runs jobs one at a time until ``shutdown()``: the oldest job left `running` (resumed) first, then queued
    /// ones in creation order. Returns once the job running at shutdown has stopped after its step.
    func runQueue() async {
        var wakeups = wakeStream.makeAsyncIterator()
        while !state.value.shuttingDown {
            let next: JobRecord?
            do { next = try store.nextRunnable() } catch {
                logger.error("fine-tuning database unreadable: \(error)")
                next = nil
            }
            if let next {
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
                                createdAt: now, path: url.path, examples: 0)
        try store.insert(record)
        return record
    }
}

/// Turns the trainer's events into job events, progress and checkpoint records (called on the training thread).
final class JobProgressRecorder: @unchecked Sendable {
    private let store: FineTuningStore
    private let job: JobRecord
    private var lastTrainLoss: Double?
    private var lastValidLoss: Double?
    private var totalSteps = 0

    init(store: FineTuningStore, job: JobRecord) {
        self.store = store
        self.job = job
    }

    private var now: Int { Int(Date().timeIntervalSince1970) }

    private static func json(_ fields: [String: Double?]) -> String {
        let object = fields.compactMapValues { $0 }.mapValues { value -> JSONValue in .number(value.isFinite ? value : 0) }
        return JSONValue.object(object).jsonText
    }

    private static func format(_ x: Double) -> String { String(format: "%.4f", x) }

    func handle(_ event: TrainingEvent) {
        let id = job.id
        do {
            switch event {
            case let .prepared(info):
                totalSteps = info.totalSteps
                let total = info.totalSteps
                try store.update(id) { j in
                    j.totalSteps = total
                    return true
                }
                if info.resumedAfterStep > 0 {
                    try store.forgetProgress(job: id, after: info.resumedAfterStep)
                    try store.update(id) { j in
                        j.step = info.resumedAfterStep
                        return true
                    }
                    try store.addEvent(job: id, message: "Resumed from the checkpoint at step \(info.resumedAfterStep) of \(total)", now: now)
                } else {
                    try store.addEvent(job: id, message: "Training \(info.modelName) on \(info.trainExamples) examples (\(info.trainTokens) tokens)"
                                       + (info.validExamples > 0 ? ", validating on \(info.validExamples)" : "")
                                       + ": \(total) steps, \(info.trainableParameters) trainable parameters", now: now)
                }
                if info.droppedExamples > 0 {
                    try store.addEvent(job: id, level: "warn", message: "\(info.droppedExamples) examples were skipped: their first answer token "
                                       + "lies beyond max_seq_len \(job.training.maxSeqLen)", now: now)
                }
            case let .step(report):
                lastTrainLoss = report.loss
                let finish = now + Int(report.remainingSeconds.isFinite ? report.remainingSeconds.rounded(.up) : 0)
                try store.update(id) { j in
                    j.step = report.step
                    j.tokens = report.totalTokens
                    j.estimatedFinish = finish
                    return true
                }
                let data = Self.json(["step": Double(report.step), "total_steps": Double(report.totalSteps), "train_loss": report.loss,
                                      "learning_rate": report.learningRate, "grad_norm": report.gradientNorm,
                                      "tokens_per_second": report.tokensPerSecond, "epoch": report.epoch,
                                      "trained_tokens": Double(report.totalTokens), "elapsed_seconds": report.elapsedSeconds])
                try store.addEvent(job: id, message: "Step \(report.step)/\(report.totalSteps): training loss=\(Self.format(report.loss))",
                                   type: "metrics", data: data, step: report.step, now: now)
            case let .evaluated(step, loss, perplexity):
                lastValidLoss = loss
                let data = Self.json(["step": Double(step), "total_steps": Double(totalSteps), "valid_loss": loss,
                                      "full_valid_loss": loss, "valid_perplexity": perplexity])
                try store.addEvent(job: id, message: "Step \(step)/\(totalSteps): validation loss=\(Self.format(loss))",
                                   type: "metrics", data: data, step: step, now: now)
            case let .checkpoint(step, path):
                try store.addCheckpoint(CheckpointRecord(
                    seq: nil, id: ObjectID.make("ftckpt"), jobID: id, createdAt: now, stepNumber: step,
                    fineTunedModelCheckpoint: "\(job.servedAs):ckpt-step-\(step)", path: path, trainLoss: lastTrainLoss,
                    validLoss: lastValidLoss))
                try store.addEvent(job: id, message: "Checkpoint saved at step \(step)", now: now)
            }
        } catch {
            // A progress record that cannot be written does not stop training; the outcome is recorded at the end.
        }
    }
}
