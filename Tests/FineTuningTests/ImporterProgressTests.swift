import FineTuning
import Foundation
import Testing

/// Collects what a reporter writes, with a hand-driven clock.
final class ProgressRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [String] = []
    private var now = 0.0

    var output: [String] { lock.withLock { chunks } }
    func append(_ text: String) { lock.withLock { chunks.append(text) } }
    func time() -> Double { lock.withLock { now } }
    func advance(by seconds: Double) { lock.withLock { now += seconds } }
}

@Suite("Import progress and output writer")
struct ImporterProgressTests {
    @Test func plainLinesAtEveryTenthAndAfterFiveSeconds() {
        let recorder = ProgressRecorder()
        let reporter = ProgressReporter(label: "import", total: 100_000_000, style: .lines,
                                        clock: { recorder.time() }, write: { recorder.append($0) })
        recorder.advance(by: 1)
        reporter.advance(to: 5_000_000, items: 10)     // 5%: nothing yet
        reporter.advance(to: 10_000_000, items: 20)    // 10%
        reporter.advance(to: 12_000_000, items: 24)
        recorder.advance(by: 5)
        reporter.advance(to: 13_000_000, items: 26)    // 5 s later
        reporter.advance(to: 100_000_000, items: 200)  // 100%
        reporter.finish()                              // nothing new to say
        reporter.advance(to: 1, items: 1)              // ignored after finish
        #expect(recorder.output == [
            "import [##------------------] 10% 10.0/100.0 MB · 20 conversations · 10.0 MB/s\n",
            "import [##------------------] 13% 13.0/100.0 MB · 26 conversations · 2.2 MB/s\n",
            "import [####################] 100% 100.0/100.0 MB · 200 conversations · 16.7 MB/s\n",
        ])
    }

    @Test func aBarIsRedrawnInPlaceAtMostTenTimesASecond() {
        let recorder = ProgressRecorder()
        let reporter = ProgressReporter(label: "curate", total: nil, itemName: "lines", style: .bar,
                                        clock: { recorder.time() }, write: { recorder.append($0) })
        recorder.advance(by: 2)
        reporter.advance(to: 2_000_000, items: 1500)
        reporter.advance(to: 2_100_000, items: 1600)   // too soon: not drawn
        recorder.advance(by: 0.5)
        reporter.advance(to: 5_000_000, items: 4000)
        reporter.finish()
        #expect(recorder.output == [
            "\rcurate 2.0 MB · 1,500 lines · 1.0 MB/s",
            "\rcurate 5.0 MB · 4,000 lines · 2.0 MB/s",
            "\rcurate 5.0 MB · 4,000 lines · 2.0 MB/s\n",
        ])
    }

    @Test func aByteOnlyReporterLeavesOutTheItemCount() {
        let recorder = ProgressRecorder()
        let reporter = ProgressReporter(label: "extract", total: 2_000_000, itemName: "", style: .lines,
                                        clock: { recorder.time() }, write: { recorder.append($0) })
        recorder.advance(by: 1)
        reporter.advance(to: 2_000_000, items: 0)
        reporter.finish()
        #expect(recorder.output == ["extract [####################] 100% 2.0/2.0 MB · 2.0 MB/s\n"])
    }

    @Test func theWriterBuffersAndRenamesOnlyOnCommit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.jsonl")
        let writer = try JSONLinesFileWriter(destination: output, bufferLimit: 16)
        for i in 0..<100 { try writer.write(line: #"{"n":\#(i)}"#) }
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(writer.byteCount > 0)   // flushed to the temporary file already
        try writer.commit()
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 100 && lines.last == #"{"n":99}"#)
        let second = try JSONLinesFileWriter(destination: output)
        try second.write(line: "replaced")
        try second.commit()
        #expect(try String(contentsOf: output, encoding: .utf8) == "replaced\n")
        do {
            let abandoned = try JSONLinesFileWriter(destination: output)
            try abandoned.write(line: "never")
        }
        #expect(try String(contentsOf: output, encoding: .utf8) == "replaced\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.jsonl"])
    }

    @Test func isoTimestampsParseWithFractionsAndZones() {
        #expect(ISO8601Timestamp.seconds("1970-01-01T00:00:00Z") == 0)
        #expect(ISO8601Timestamp.seconds("2024-05-01T10:00:01.250Z") == 1_714_557_601.25)
        #expect(ISO8601Timestamp.seconds("2024-05-01T12:00:01+02:00") == 1_714_557_601)
        #expect(ISO8601Timestamp.seconds("2024-02-29T00:00:00.000000Z") == 1_709_164_800)
        #expect(ISO8601Timestamp.seconds("2024-05-01") == nil)
        #expect(ISO8601Timestamp.seconds("2024-13-01T00:00:00Z") == nil)
        #expect(ISO8601Timestamp.seconds("2024-05-01T10:00:00") == nil)
    }
}
