import Foundation
import GGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checkpoints of a run in `OUTPUT/checkpoints/step-N/`: `parameters.safetensors` (the trainable tensors),
/// `optimizer.safetensors` (`exp_avg.NAME` and `exp_avg_sq.NAME` per tensor, the step in its metadata) and
/// `state.json` (``CheckpointState``).
///
/// A checkpoint is written into a hidden temporary folder and renamed into place, so `step-N/` is always
/// complete; ``latest()`` ignores anything else (leftovers of a crash). After each save only the newest
/// `keep` checkpoints remain.
public struct CheckpointStore: Sendable {
    /// The run's output folder.
    public let output: URL
    /// How many checkpoints to keep.
    public let keep: Int

    /// A store in `output/checkpoints`, keeping the newest `keep` (≥ 1) checkpoints.
    public init(output: URL, keep: Int = 3) {
        precondition(keep >= 1, "keep at least one checkpoint")
        self.output = output
        self.keep = keep
    }

    /// `output/checkpoints`.
    public var directory: URL { output.appendingPathComponent("checkpoints", isDirectory: true) }

    /// The folder of step `step`'s checkpoint.
    public func folder(step: Int) -> URL { directory.appendingPathComponent("step-\(step)", isDirectory: true) }

    static let parametersFile = "parameters.safetensors"
    static let optimizerFile = "optimizer.safetensors"
    static let stateFile = "state.json"

    /// Writes `checkpoint` as `step-N/` (N = its state's step), replacing an existing one of the same step, then
    /// deletes all but the newest `keep` checkpoints and any leftover temporary folders. Returns the folder.
    @discardableResult
    public func save(_ checkpoint: Checkpoint) throws(CheckpointError) -> URL {
        let fm = FileManager.default
        let step = checkpoint.state.step
        do { try fm.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory.path, reason: (error as NSError).localizedDescription)
        }
        removeLeftovers()
        let temporary = directory.appendingPathComponent(".tmp-step-\(step)-\(UUID().uuidString)", isDirectory: true)
        do { try fm.createDirectory(at: temporary, withIntermediateDirectories: false) } catch {
            throw .io(path: temporary.path, reason: (error as NSError).localizedDescription)
        }
        do {
            try Self.writeParameters(checkpoint, to: temporary.appendingPathComponent(Self.parametersFile))
            try Self.writeOptimizer(checkpoint, to: temporary.appendingPathComponent(Self.optimizerFile))
            try Self.writeState(checkpoint.state, to: temporary.appendingPathComponent(Self.stateFile))
            Self.syncDirectory(temporary)
            let final = folder(step: step)
            if fm.fileExists(atPath: final.path) {
                let old = directory.appendingPathComponent(".old-step-\(step)-\(UUID().uuidString)", isDirectory: true)
                guard rename(final.path, old.path) == 0 else { throw CheckpointError.io(path: final.path, reason: String(cString: strerror(errno))) }
                try? fm.removeItem(at: old)
            }
            guard rename(temporary.path, final.path) == 0 else {
                throw CheckpointError.io(path: final.path, reason: String(cString: strerror(errno)))
            }
            Self.syncDirectory(directory)
            prune()
            return final
        } catch let error as CheckpointError {
            try? fm.removeItem(at: temporary)
            throw error
        } catch {
            try? fm.removeItem(at: temporary)
            throw .io(path: temporary.path, reason: "\(error)")
        }
    }

    /// The complete checkpoints' steps and folders, oldest first: `step-N/` folders holding all three files
    /// whose `state.json` reads and names step N.
    public func checkpoints() -> [(step: Int, folder: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var found: [(step: Int, folder: URL)] = []
        for name in names {
            guard name.hasPrefix("step-"), let step = Int(name.dropFirst(5)), step >= 0, "step-\(step)" == name else { continue }
            let folder = directory.appendingPathComponent(name, isDirectory: true)
            guard isComplete(folder, step: step) else { continue }
            found.append((step, folder))
        }
        return found.sorted { $0.step < $1.step }
    }

    /// The newest complete checkpoint, if any.
    public func latest() -> (step: Int, folder: URL)? { checkpoints().last }

    /// Loads the checkpoint in `folder`.
    public func load(_ folder: URL) throws(CheckpointError) -> Checkpoint {
        let state = try Self.readState(folder.appendingPathComponent(Self.stateFile))
        let parameters = try Self.readParameters(folder.appendingPathComponent(Self.parametersFile), names: state.parameterNames)
        let optimizer = try Self.readOptimizer(folder.appendingPathComponent(Self.optimizerFile), parameters: parameters)
        guard optimizer.step == state.step else {
            throw .corrupt(path: folder.path, reason: "the optimizer is at step \(optimizer.step), the state at step \(state.step)")
        }
        return Checkpoint(parameters: parameters, optimizer: optimizer, state: state)
    }

    /// Loads the newest checkpoint to resume a run with `fingerprint`; nil when there is none. Refuses with
    /// ``CheckpointError/settingsChanged(path:differences:)`` when the checkpoint was made with other settings,
    /// data or model.
    public func resume(expecting fingerprint: TrainingFingerprint) throws(CheckpointError) -> Checkpoint? {
        guard let (_, folder) = latest() else { return nil }
        let state = try Self.readState(folder.appendingPathComponent(Self.stateFile))
        guard state.fingerprint.hash == fingerprint.hash else {
            throw .settingsChanged(path: folder.path, differences: fingerprint.differences(from: state.fingerprint))
        }
        return try load(folder)
    }

    // MARK: - Housekeeping

    private func isComplete(_ folder: URL, step: Int) -> Bool {
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder.appendingPathComponent(Self.parametersFile).path),
              fm.fileExists(atPath: folder.appendingPathComponent(Self.optimizerFile).path),
              let state = try? Self.readState(folder.appendingPathComponent(Self.stateFile)) else { return false }
        return state.step == step
    }

    /// Deletes all but the newest `keep` checkpoints.
    private func prune() {
        let all = checkpoints()
        for (_, folder) in all.dropLast(keep) { try? FileManager.default.removeItem(at: folder) }
    }

    /// Deletes temporary folders left by an interrupted save (one run writes to an output folder at a time).
    private func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(".tmp-step-") || name.hasPrefix(".old-step-") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    static func syncDirectory(_ url: URL) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
