import Foundation
import ModelStore

/// The `training:` section: OpenAI's Files and Fine-tuning APIs (`/v1/files`, `/v1/fine_tuning/jobs`) on the
/// native LoRA trainer.
///
/// ```yaml
/// training:
///   enabled: true                # false: the routes answer 404 fine_tuning_disabled
///   path: ~/.groupqwen/fine-tuning.sqlite   # jobs, events, checkpoints, file metadata; ":memory:" forgets them at exit
///   directory: ~/.groupqwen      # holds files/ (uploads) and fine-tuning/JOBID/ (job outputs)
///   threads: 1                   # trainer threads (serving keeps the other cores)
///   max_upload_bytes: 536870912  # largest POST /v1/files body (streamed to disk)
///   activation_memory_mb: 1024   # stored activations before the trainer recomputes them
/// ```
public struct FineTuningConfiguration: Sendable, Equatable {
    /// Serve the Files and Fine-tuning APIs and run jobs.
    public var enabled: Bool
    /// The SQLite file of jobs, events, checkpoints and file metadata; nil keeps them in memory (gone at exit).
    public var databasePath: String?
    /// The folder holding `files/` (uploaded files) and `fine-tuning/JOBID/` (each job's output).
    public var directory: String
    /// Threads of the trainer (one job runs at a time).
    public var threads: Int
    /// Largest accepted `POST /v1/files` body, in bytes (413 above); the upload is streamed to disk.
    public var maxUploadBytes: Int
    /// MiB of stored activations before the trainer's layers recompute theirs.
    public var activationMemoryMB: Int

    /// `$GROUPQWEN_HOME` (default `~/.groupqwen`).
    public static var defaultDirectory: String { ModelStore().home.path }

    public init(enabled: Bool = true, databasePath: String? = nil, directory: String? = nil, threads: Int = 1,
                maxUploadBytes: Int = 512 << 20, activationMemoryMB: Int = 1024) {
        let directory = directory ?? Self.defaultDirectory
        self.enabled = enabled
        self.directory = directory
        self.databasePath = databasePath
        self.threads = threads
        self.maxUploadBytes = maxUploadBytes
        self.activationMemoryMB = activationMemoryMB
    }

    /// The default configuration: `$GROUPQWEN_HOME/fine-tuning.sqlite`, files and outputs under `$GROUPQWEN_HOME`.
    public static var standard: FineTuningConfiguration {
        let home = defaultDirectory
        return FineTuningConfiguration(databasePath: URL(fileURLWithPath: home).appendingPathComponent("fine-tuning.sqlite").path,
                                       directory: home)
    }

    /// Uploaded files: `DIRECTORY/files`.
    public var filesDirectory: URL { URL(fileURLWithPath: directory).appendingPathComponent("files", isDirectory: true) }
    /// Job outputs: `DIRECTORY/fine-tuning`.
    public var jobsDirectory: URL { URL(fileURLWithPath: directory).appendingPathComponent("fine-tuning", isDirectory: true) }

    func validate() throws(ServerConfigurationError) {
        func fail(_ key: String, _ message: String) -> ServerConfigurationError {
            .invalid(key: "training.\(key)", message: message, line: nil)
        }
        guard !directory.isEmpty else { throw fail("directory", "must not be empty") }
        if let databasePath, databasePath.isEmpty { throw fail("path", "must not be empty (\":memory:\" keeps jobs in memory)") }
        guard threads >= 1 else { throw fail("threads", "must be ≥ 1") }
        guard maxUploadBytes >= 1 else { throw fail("max_upload_bytes", "must be ≥ 1") }
        guard activationMemoryMB >= 1 else { throw fail("activation_memory_mb", "must be ≥ 1") }
    }
}
