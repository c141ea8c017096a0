import FineTuning
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `OUTPUT/metrics.jsonl`: one ``MetricsRecord`` per line, each line written with a single `write(2)` on a file
/// opened for appending, so the file is readable (and plottable) while training runs and a crash loses at most
/// the line being written.
public struct MetricsLog: Sendable {
    /// The file.
    public let url: URL

    /// The log of the run writing to `output`.
    public init(output: URL) {
        url = output.appendingPathComponent("metrics.jsonl")
    }

    /// Prepares the file for a run: a fresh run (`resumingAfter` nil) starts an empty file; a run resumed from the
    /// checkpoint of step N keeps the lines of steps ≤ N and drops the later ones (they will be computed again),
    /// along with any damaged line. The file is rewritten atomically.
    public func start(resumingAfter step: Int?) throws(CheckpointError) {
        var kept: [String] = []
        if let step, FileManager.default.fileExists(atPath: url.path) {
            kept = try records().filter { $0.step <= step }.map(\.jsonLine)
        }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let writer = try JSONLinesFileWriter(destination: url)
            for line in kept { try writer.write(line: line) }
            try writer.commit()
        } catch {
            throw .io(path: url.path, reason: "\(error)")
        }
    }

    /// Appends one record as a line.
    public func append(_ record: MetricsRecord) throws(CheckpointError) {
        let line = Array((record.jsonLine + "\n").utf8)
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw .io(path: url.path, reason: written < 0 ? String(cString: strerror(errno)) : "short write") }
    }

    /// The records in the file, in order (damaged lines skipped; empty when the file does not exist).
    public func records() throws(CheckpointError) -> [MetricsRecord] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .io(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return text.split(separator: "\n").compactMap { MetricsRecord(jsonLine: String($0)) }
    }
}
