import FineTuning
import Foundation
import Testing

@Suite("Mapped files")
struct MappedFileTests {
    /// A pipe cannot be mapped: it is read to its end instead (`groupqwen data import … /dev/stdin`).
    @Test func aPipeIsReadToItsEnd() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let text = String(repeating: "{\"messages\":[]}\n", count: 100_000)   // 1.6 MB: several reads
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: path)!
            handle.write(Data(text.utf8))
            try? handle.close()
        }
        writer.start()
        let file = try MappedFile(URL(fileURLWithPath: path))
        #expect(file.bytes.count == text.utf8.count)
        #expect(file.data == Data(text.utf8))
    }

    @Test func aDirectoryIsRefused() {
        #expect(throws: ImportError.self) { _ = try MappedFile(FileManager.default.temporaryDirectory) }
    }
}
