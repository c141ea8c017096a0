import Foundation
import Testing
@testable import GGUF

@Suite("MappedFile")
struct MappedFileTests {
    @Test("a missing path, a directory and a FIFO cannot be opened; an empty file is not GGUF")
    func cannotOpen() throws {
        let dir = ScratchDirectory()
        func error(_ path: String) -> GGUFError? {
            do throws(GGUFError) { _ = try MappedFile(path: path); return nil } catch { return error }
        }
        let missing = dir.path("missing.gguf")
        #expect(error(missing) == .cannotOpen(path: missing, reason: "No such file or directory"))
        #expect(error(dir.url.path) == .cannotOpen(path: dir.url.path, reason: "not a regular file"))
        let fifo = dir.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO for reading must not block waiting for a writer.
        #expect(error(fifo) == .cannotOpen(path: fifo, reason: "not a regular file"))
        let empty = dir.file("empty.gguf", [])
        #expect(error(empty) == .notGGUF(path: empty))
        #expect(throws: GGUFError.cannotOpen(path: missing, reason: "No such file or directory")) { try GGUFFile(path: missing) }
        if case let .cannotOpen(_, reason)? = error(dir.url.path) {
            #expect(GGUFError.cannotOpen(path: dir.url.path, reason: reason).description == "cannot open \(dir.url.path): not a regular file")
        }
    }

    @Test("maps the whole file")
    func mapsBytes() throws {
        let dir = ScratchDirectory()
        let bytes = patternBytes(10_000, seed: 42)
        let m = try MappedFile(path: dir.file("b", bytes))
        #expect(m.size == bytes.count)
        #expect(Array(UnsafeRawBufferPointer(start: m.base, count: m.size)) == bytes)
        m.adviseWillNeed(offset: 5000, count: 5000)
    }
}
