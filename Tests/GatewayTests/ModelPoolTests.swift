import Engine
import Foundation
import Gateway
import ModelStore
import Testing

/// The model pool on real models: load on first use, one load for concurrent callers, keep-alive
/// unloading, the memory budget and clear errors.
@Suite(.serialized)
struct ModelPoolTests {
    /// The repo's tiny qwen3 fixture (8.5 MB), served under two ids, and SmolLM2 when present.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/qwen3-tiny-random.gguf").path

    private func pool(_ models: [ServedModel], budget: Int64? = nil, keepAlive: Duration? = .seconds(300)) -> ModelPool {
        ModelPool(configuration: ModelPoolConfiguration(models: models, memoryBudgetBytes: budget, keepAlive: keepAlive,
                                                        threads: 1, fetchMissing: false))
    }

    private func tiny(_ id: String, preload: Bool = false) -> ServedModel {
        ServedModel(id: id, source: Self.fixture, contextLength: 256, preload: preload)
    }

    private func generateText(_ model: LocalModel, _ prompt: String, tokens: Int = 4) async throws -> GenerationResult? {
        var options = GenerationOptions()
        options.sampling = .greedy
        options.maxTokens = tokens
        var result: GenerationResult?
        for try await event in try model.generate(promptIDs: model.promptIDs(text: prompt), options: options) {
            if case let .finished(r) = event { result = r }
        }
        return result
    }

    @Test func loadsOnFirstUseAndShowsState() async throws {
        let pool = pool([tiny("a"), tiny("b")])
        #expect(await pool.statuses().map(\.state) == [.available, .available])
        let a = try await pool.model("a")
        #expect(a.contextLength == 256)
        #expect(await pool.statuses().map(\.state) == [.loaded, .available])
        #expect(try await generateText(a, "hello")?.ids.count == 4)
        // Same instance on the next call.
        #expect(try await pool.model("a") === a)
        await pool.shutdown(cancelInFlight: false)
    }

    @Test func concurrentFirstCallsShareOneLoad() async throws {
        let pool = pool([tiny("a")])
        let models = try await withThrowingTaskGroup(of: LocalModel.self) { group in
            for _ in 0..<6 { group.addTask { try await pool.model("a") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(models.map { ObjectIdentifier($0) }).count == 1)
        await pool.shutdown(cancelInFlight: false)
    }

    @Test func unknownModelAndMissingFileAreClearErrors() async throws {
        let pool = pool([tiny("a"), ServedModel(id: "ghost", source: "/nonexistent/model.gguf")])
        do {
            _ = try await pool.model("zzz")
            Issue.record("unknown id must fail")
        } catch let error as GatewayError {
            guard case .unknownModel = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("available models: a, ghost"))
        }
        do {
            _ = try await pool.model("ghost")
            Issue.record("missing file must fail")
        } catch let error as GatewayError {
            guard case .loadFailed = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("/nonexistent/model.gguf"))
        }
        #expect(await pool.statuses().last?.lastError != nil)
        await pool.shutdown(cancelInFlight: false)
    }

    @Test func idleModelsUnloadAfterKeepAlive() async throws {
        // Virtual "now" values keep this independent of how long loading takes on a busy machine (a keep-alive far
        // longer than any load: under a parallel test run, loading b took over 10 s after a).
        let pool = pool([tiny("a"), tiny("b")], keepAlive: .seconds(120))
        _ = try await pool.model("a")
        _ = try await pool.model("b")
        #expect(await pool.unloadIdle(now: .now).isEmpty)
        try await Task.sleep(for: .milliseconds(1500))
        let touched = ContinuousClock.now
        _ = try await pool.model("b")   // b is fresh again; a was last used ≥ 1.5 s before `touched`
        #expect(await pool.unloadIdle(now: touched + .seconds(119)) == ["a"])
        #expect(await pool.statuses().map(\.state) == [.available, .loaded])
        // Unloaded models come back on demand.
        #expect(try await generateText(try await pool.model("a"), "again")?.ids.count == 4)
        await pool.shutdown(cancelInFlight: false)
    }

    @Test func memoryBudgetEvictsTheLeastRecentlyUsedIdleModel() async throws {
        let probe = pool([tiny("x")])
        let size = try await probe.model("x").estimatedBytes
        await probe.shutdown(cancelInFlight: false)

        let pool = pool([tiny("a"), tiny("b"), tiny("c")], budget: size * 2 + size / 2)
        _ = try await pool.model("a")
        _ = try await pool.model("b")
        _ = try await pool.model("a")   // b is now the least recently used
        _ = try await pool.model("c")
        #expect(await pool.statuses().map(\.state) == [.loaded, .available, .loaded])
        await pool.shutdown(cancelInFlight: false)

        let tight = self.pool([tiny("a")], budget: size / 2)
        await #expect(throws: GatewayError.self) { _ = try await tight.model("a") }
        await tight.shutdown(cancelInFlight: false)
    }

    @Test func preloadLoadsMarkedModelsAndShutdownRefusesWork() async throws {
        let pool = pool([tiny("a", preload: true), tiny("b")])
        await pool.preload()
        #expect(await pool.isReady)
        #expect(await pool.statuses().map(\.state) == [.loaded, .available])
        await pool.shutdown(cancelInFlight: false)
        #expect(await !pool.isReady)
        await #expect(throws: GatewayError.self) { _ = try await pool.model("a") }
    }
}
