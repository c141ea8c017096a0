import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ZIPFoundation

/// A chat export ZIP (ChatGPT, Claude, Google Takeout): finds the one file an importer needs and extracts it
/// to a temporary file, so it can be streamed like a plain file.
public enum ExportArchive {
    /// Whether `url` starts with a ZIP signature (`PK\u{3}\u{4}`, or `PK\u{5}\u{6}` for an empty archive).
    /// Only regular files are looked at: reading a pipe's first bytes would take them from the importer
    /// (and a ZIP needs seeking anyway).
    public static func isZIP(_ url: URL) -> Bool {
        var info = stat()
        guard stat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        return head == Data([0x50, 0x4B, 0x03, 0x04]) || head == Data([0x50, 0x4B, 0x05, 0x06])
    }

    /// The entry whose file name is `fileName` (any case) with the shortest path; when several match and
    /// `preferring` is given, one whose path contains it (any case) wins.
    public static func entryPath(in archive: URL, fileName: String, preferring: String? = nil) throws(ImportError) -> String {
        let zip = try open(archive)
        var candidates: [String] = []
        var names: [String] = []
        for entry in zip {
            names.append(entry.path)
            guard entry.type == .file else { continue }
            let name = entry.path.split(separator: "/").last.map(String.init) ?? entry.path
            if name.lowercased() == fileName.lowercased() { candidates.append(entry.path) }
        }
        let ranked = candidates.sorted { a, b in
            let pa = preferring.map { a.lowercased().contains($0.lowercased()) } ?? false
            let pb = preferring.map { b.lowercased().contains($0.lowercased()) } ?? false
            if pa != pb { return pa }
            let da = a.split(separator: "/").count, db = b.split(separator: "/").count
            return da != db ? da < db : a < b
        }
        guard let best = ranked.first else {
            let shown = names.prefix(5).joined(separator: ", ")
            let more = names.count > 5 ? ", … (\(names.count) entries)" : ""
            throw .archive(path: archive.path, reason: names.isEmpty
                ? "has no \(fileName); the archive is empty"
                : "has no \(fileName); entries: \(shown)\(more)")
        }
        return best
    }

    /// Extracts the entry at `path` into a new temporary directory and returns the file's URL; delete the
    /// directory (the URL's parent) when done. `progress` gets (bytes written, entry size) as it goes. The
    /// entry's CRC-32 is checked.
    public static func extract(_ path: String, from archive: URL,
                               progress: ((_ done: Int64, _ total: Int64) -> Void)? = nil) throws(ImportError) -> URL {
        let zip = try open(archive)
        guard let entry = zip[path], entry.type == .file else { throw .archive(path: archive.path, reason: "has no file entry \(path)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("groupqwen-import-\(UUID().uuidString)")
        let name = path.split(separator: "/").last.map(String.init) ?? "entry"
        let destination = directory.appendingPathComponent(name)
        let total = Int64(clamping: entry.uncompressedSize)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path])
            }
            let handle = try FileHandle(forWritingTo: destination)
            defer { try? handle.close() }
            var written: Int64 = 0
            let checksum = try zip.extract(entry, bufferSize: 1 << 20) { chunk in
                try handle.write(contentsOf: chunk)
                written += Int64(chunk.count)
                progress?(written, total)
            }
            guard checksum == entry.checksum else {
                throw ExtractionError(reason: "the CRC-32 of \(path) does not match: the archive is damaged")
            }
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw .archive(path: archive.path, reason: "cannot extract \(path): \(describe(error))")
        }
        return destination
    }

    private struct ExtractionError: Error, CustomStringConvertible { let reason: String; var description: String { reason } }

    private static func open(_ archive: URL) throws(ImportError) -> Archive {
        guard FileManager.default.isReadableFile(atPath: archive.path) else {
            throw .unreadable(path: archive.path, reason: "no such readable file")
        }
        do { return try Archive(url: archive, accessMode: .read) } catch {
            throw .archive(path: archive.path, reason: "is not a readable ZIP archive (\(describe(error)))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? Archive.ArchiveError { return "\(error)" }
        if let error = error as? ExtractionError { return error.reason }
        return (error as NSError).localizedDescription
    }
}
