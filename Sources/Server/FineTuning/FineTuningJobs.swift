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
    /// What the runner is doing; the trainer thread reads it after every step.
    let state = LockedValue(RunnerState())
    /// Wakes the runner when a job is queued or the server stops.
    let wakeStream: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation

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
    /// temporary file is moved into place or deleted. Throws `FineTuningError.invalidFile` naming the first bad
    /// lines as `FILE:LINE: reason`, with the client's filename.
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
                                examples: lines, owner: APICaller.owner)
        do { try store.insert(record) } catch {
            try? FileManager.default.removeItem(at: destination)
            throw error
        }
        return record
    }

    /// Bad lines named in an upload's 400 (the count of all follows them).
    static let shownProblems = 5

    /// The lines of a valid training file at `url`, which the client calls `filename`; otherwise
    /// `FineTuningError.invalidFile` with the first bad lines, `filename:LINE: reason` (the checks of
    /// `groupqwen data validate` and the trainer).
    static func validateTrainingFile(_ url: URL, filename: String) throws(FineTuningError) -> Int {
        func invalid(_ problems: [String]) -> FineTuningError { .invalidFile(filename: filename, problems: problems) }
        let result: DatasetValidator.Result
        do { result = try DatasetValidator().validate(file: url) } catch {
            throw invalid(["\(filename): unreadable (\(error))"])
        }
        if !result.problems.isEmpty {
            var lines = result.problems.prefix(shownProblems).map { $0.line > 0 ? "\(filename):\($0.line): \($0.reason)" : "\(filename): \($0.reason)" }
            if result.badLines > lines.count { lines.append("\(result.badLines) bad lines in all") }
            throw invalid(lines)
        }
        switch result.formats[url.path] {
        case .openai?, .mlx?:
            return result.lines
        case .sharegpt?:
            throw invalid(["\(filename):1: a ShareGPT record ({\"conversations\": …}); convert it with `groupqwen data import --from sharegpt`"])
        case .alpaca?:
            throw invalid(["\(filename):1: an Alpaca record ({\"instruction\": …}); convert it with `groupqwen data import --from alpaca`"])
        case nil:
            throw invalid(["\(filename): the file holds no examples"])
        }
    }

    /// The stored file `id`; `FineTuningError.fileNotFound` naming `param` when there is none.
    func file(_ id: String, param: String = "file_id") throws -> FileRecord {
        // Another tenant's file is as unknown as a missing one.
        guard let file = try store.file(id), APICaller.canSee(owner: file.owner) else {
            throw FineTuningError.fileNotFound(id: id, param: param)
        }
        return file
    }

    func files(after: String?, limit: Int, purpose: String?, ascending: Bool) throws -> FineTuningStore.Page<FileRecord> {
        try store.files(after: after, limit: limit, purpose: purpose, ascending: ascending, owner: APICaller.visibleOwner)
    }

    /// Deletes file `id` and its bytes; 409 while a job that is not finished reads it.
    func deleteFile(_ id: String) throws -> FileRecord {
        let file = try file(id)
        if let job = try store.activeJobs(usingFile: id).first {
            throw FineTuningError.fileInUse(file: id, job: job.id, status: job.status.rawValue)
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
            output: output.path, resultFiles: [], step: 0, tokens: 0, owner: APICaller.owner)
        try store.insert(job)
        try store.addEvent(job: id, message: "Created fine-tuning job: \(id)", now: now)
        try store.addEvent(job: id, message: "Validating training file: \(trainingFile.id)"
                           + (validationFile.map { " and validation file: \($0.id)" } ?? ""), now: now)
        logger.info("fine-tuning job created", metadata: ["job": .string(id), "model": .string(base.id)])
        startValidation(job)
        return job
    }

    func job(_ id: String) throws -> JobRecord {
        guard let job = try store.job(id), APICaller.canSee(owner: job.owner) else {
            throw FineTuningError.jobNotFound(id: id)
        }
        return job
    }

    func jobs(after: String?, limit: Int) throws -> FineTuningStore.Page<JobRecord> { try store.jobs(after: after, limit: limit, owner: APICaller.visibleOwner) }

    func events(job id: String, after: String?, limit: Int) throws -> FineTuningStore.Page<EventRecord> {
        _ = try job(id)
        return try store.events(job: id, after: after, limit: limit)
    }

    func checkpoints(job id: String, after: String?, limit: Int) throws -> FineTuningStore.Page<CheckpointRecord> {
        _ = try job(id)
        return try store.checkpoints(job: id, after: after, limit: limit)
    }

    /// Cancels job `id`: it is `cancelled` at once; a running trainer stops after its current step (the job object
    /// returned holds the step reached when the cancel was recorded). `FineTuningError.jobNotCancellable` (409) for a
    /// job that already finished.
    func cancel(_ id: String) throws -> JobRecord {
        let before = try job(id)
        let now = now
        // The trainer checks this set after every step: marked before the database says `cancelled`, so the step the
        // returned job reports is at most one before the trainer's last.
        state.update { $0.cancelled.insert(id) }
        guard let job = try store.update(id, { job in
            guard !job.status.isFinal else { return false }
            job.status = .cancelled
            job.finishedAt = now
            job.estimatedFinish = nil
            return true
        }), job.status == .cancelled, !before.status.isFinal else {
            if (try? store.job(id))?.status != .cancelled { state.update { _ = $0.cancelled.remove(id) } }
            throw FineTuningError.jobNotCancellable(id: id, status: before.status.rawValue)
        }
        wake.yield()   // a job behind a cancelled one still validating may run now
        let running = state.value.current == id
        try store.addEvent(job: id, message: running ? "Cancelling: the trainer stops after its current step" : "Fine-tuning job cancelled",
                           now: now)
        logger.info("fine-tuning job cancelled", metadata: ["job": .string(id), "was": .string(before.status.rawValue)])
        return job
    }
}
