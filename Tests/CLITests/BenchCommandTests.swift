import Foundation
import Testing

/// `bench --json` prints one object with the documented keys (run on the tiny fixture; the numbers
/// themselves are measured by hand, never asserted).
struct BenchCommandTests {
    @Test func jsonShapeWithDefaultCounts() throws {
        let result = try CommandRunner.run(["bench", "-m", fixtureModelPath, "--repetitions", "1", "--threads", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "qwen3-tiny-random.gguf")
        #expect(object["threads"] as? Int == 2)
        #expect((object["pp512_tps"] as? Double ?? 0) > 0)
        #expect((object["tg128_tps"] as? Double ?? 0) > 0)
        #expect((object["peak_rss_mb"] as? Double ?? 0) > 0)
    }

    @Test func invalidCountsAreRejected() throws {
        let result = try CommandRunner.run(["bench", "-m", fixtureModelPath, "--repetitions", "0"])
        #expect(result.status != 0)
        #expect(!result.stderr.isEmpty)
    }
}
