/// Why a Files or Fine-tuning API request cannot be done. Each reads as one line; `APIError.from(_:)` maps it to
/// its HTTP status, `param` and `code`.
public enum FineTuningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server runs without the Files and Fine-tuning APIs (`training.enabled: false`).
    case disabled
    /// No stored file has this id; `param` is the request parameter that named it.
    case fileNotFound(id: String, param: String)
    /// No job has this id.
    case jobNotFound(id: String)
    /// An unfinished job reads the file, so it cannot be deleted.
    case fileInUse(file: String, job: String, status: String)
    /// The job already finished.
    case jobNotCancellable(id: String, status: String)
    /// An upload is not fine-tuning data: `problems` are `FILE:LINE: reason` lines (FILE is the client's filename),
    /// at most a few of them, or one sentence about the whole file.
    case invalidFile(filename: String, problems: [String])

    public var description: String {
        switch self {
        case .disabled:
            return "fine-tuning is disabled on this server (configuration 'training.enabled')"
        case let .fileNotFound(id, _):
            return "no file with id '\(id)'"
        case let .jobNotFound(id):
            return "no fine-tuning job with id '\(id)'"
        case let .fileInUse(file, job, status):
            return "the file '\(file)' is used by fine-tuning job '\(job)' (\(status)); cancel the job or wait for it to finish first"
        case let .jobNotCancellable(id, status):
            return "the fine-tuning job '\(id)' is already \(status) and cannot be cancelled"
        case let .invalidFile(filename, problems):
            return "the file '\(filename)' is not valid fine-tuning data (OpenAI chat JSONL, one {\"messages\": [...]} per line): "
                + problems.joined(separator: "; ")
        }
    }
}
