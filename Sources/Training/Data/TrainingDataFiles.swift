import Foundation

/// The files a run reads: a training file and an optional validation file.
public struct TrainingDataFiles: Sendable, Equatable {
    /// The training examples.
    public var train: URL
    /// The validation examples, if any.
    public var valid: URL?

    /// Explicit files.
    public init(train: URL, valid: URL? = nil) {
        self.train = train
        self.valid = valid
    }

    /// Resolves `data`: a folder written by `groupqwen data split` (`train.jsonl`, and `valid.jsonl` when
    /// present; `--format openai` and `--format mlx` write the same layout) or a single training file. An
    /// explicit `valid` file takes precedence over a folder's `valid.jsonl`.
    public static func resolve(data: String, valid: String? = nil) throws(TrainingDataError) -> TrainingDataFiles {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: data, isDirectory: &isDirectory) else { throw .notFound(data) }
        var validURL: URL?
        if let valid {
            guard fm.fileExists(atPath: valid) else { throw .notFound(valid) }
            validURL = URL(fileURLWithPath: valid)
        }
        guard isDirectory.boolValue else { return TrainingDataFiles(train: URL(fileURLWithPath: data), valid: validURL) }
        let folder = URL(fileURLWithPath: data, isDirectory: true)
        let train = folder.appendingPathComponent("train.jsonl")
        guard fm.fileExists(atPath: train.path) else { throw .noTrainFile(directory: data) }
        if validURL == nil {
            let candidate = folder.appendingPathComponent("valid.jsonl")
            if fm.fileExists(atPath: candidate.path) { validURL = candidate }
        }
        return TrainingDataFiles(train: train, valid: validURL)
    }

    /// The files in reading order (training first).
    public var all: [URL] { [train] + (valid.map { [$0] } ?? []) }
}
