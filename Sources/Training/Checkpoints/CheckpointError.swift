/// Why a checkpoint or the metrics log could not be written or used; each reads as one line.
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file or folder could not be created, written, read or renamed.
    case io(path: String, reason: String)
    /// A checkpoint's files are damaged or inconsistent.
    case corrupt(path: String, reason: String)
    /// The run's settings, data or model differ from those the checkpoint was trained with.
    case settingsChanged(path: String, differences: [String])

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .corrupt(path, reason): return "checkpoint \(path) is damaged: \(reason)"
        case let .settingsChanged(path, differences):
            return "cannot resume from \(path): \(differences.joined(separator: "; ")); resume with the original settings and data, or use a new output folder"
        }
    }
}
