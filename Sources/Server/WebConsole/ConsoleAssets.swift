import Foundation
import ModelStore

/// The web console's files: the copy embedded in the binary at build time (`ConsoleAssetsPlugin`), or, for
/// working on the console without rebuilding, a folder read on every request (`GROUPQWEN_UI_DIR`).
struct ConsoleAssets: Sendable {
    /// One file, ready to send.
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
        /// A strong validator: the SHA-256 of the bytes, quoted.
        let etag: String

        init(bytes: [UInt8], path: String) {
            self.bytes = bytes
            contentType = ConsoleAssets.contentType(of: path)
            etag = "\"" + SHA256.hexDigest(of: bytes).prefix(32) + "\""
        }
    }

    private enum Source: Sendable {
        case embedded([String: Asset])
        case directory(URL)
    }

    private let source: Source

    /// The embedded files, decoded once.
    static let embedded = ConsoleAssets(source: .embedded(Dictionary(uniqueKeysWithValues: embeddedBase64.compactMap { path, text in
        Data(base64Encoded: text).map { (path, Asset(bytes: [UInt8]($0), path: path)) }
    })))

    /// The files under `directory`, read when asked for.
    static func directory(_ directory: String) -> ConsoleAssets {
        ConsoleAssets(source: .directory(URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL))
    }

    /// `GROUPQWEN_UI_DIR` when set, else the embedded files.
    static func fromEnvironment() -> ConsoleAssets {
        if let directory = ProcessInfo.processInfo.environment["GROUPQWEN_UI_DIR"], !directory.isEmpty {
            return .directory(directory)
        }
        return .embedded
    }

    /// The file at `path` (relative, `/`-separated), or nil. Paths with empty, `.` or `..` components are refused.
    func asset(_ path: String) -> Asset? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.hasPrefix(".") }) else {
            return nil
        }
        switch source {
        case let .embedded(files):
            return files[path]
        case let .directory(root):
            let url = root.appendingPathComponent(path).standardizedFileURL
            guard url.path.hasPrefix(root.path + "/"), let data = FileManager.default.contents(atPath: url.path) else { return nil }
            return Asset(bytes: [UInt8](data), path: path)
        }
    }

    /// Number of embedded files (0 when serving a folder).
    var embeddedCount: Int {
        if case let .embedded(files) = source { return files.count }
        return 0
    }

    static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt", "md": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
