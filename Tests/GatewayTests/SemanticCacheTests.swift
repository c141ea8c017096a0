import Foundation
import Gateway
import ModelStore
import Testing

/// The semantic cache with real MiniLM embeddings and a real SQLite file.
@Suite("Semantic cache")
struct SemanticCacheTests {
    static let provider = EmbeddingProvider(fetchMissing: false, precision: .q8_0)   // as the server's cache keys

    static func vector(_ text: String) async throws -> [Float] {
        guard ModelStore().localPath(for: EmbeddingProvider.modelID) != nil else {
            Issue.record("minilm-l6-v2 is not fetched: run `groupqwen models fetch minilm-l6-v2` (the README's test command does)")
            throw CancellationError()
        }
        return try await provider.embed([text]).vectors[0]
    }

    static func context(tenant: String = "alice", system: String = "You are helpful.", target: String = "auto") -> CacheContext {
        CacheContext(tenant: tenant, messages: [(role: "system", text: system), (role: "user", text: "ignored: last user turn")],
                     target: target, settings: "temperature=0")
    }

    static let answer = CachedAnswer(text: "Paris.", model: "smollm2-135m", tier: 0, finishReason: "stop", promptTokens: 20, completionTokens: 3)

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)/cache.sqlite").path
    }

    /// A clock the test moves by hand.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 1_000_000.0
        var now: Double { lock.withLock { value } }
        func advance(_ seconds: Double) { lock.withLock { value += seconds } }
    }

    func makeCache(path: String? = nil, clock: ManualClock = ManualClock(), maxEntries: Int = 100) async throws -> SemanticCache {
        var configuration = SemanticCacheConfiguration()
        configuration.path = path
        configuration.maxEntries = maxEntries
        return try await SemanticCache(configuration: configuration, clock: { clock.now })
    }

    @Test func paraphraseHitsUnrelatedMisses() async throws {
        let cache = try await makeCache()
        await cache.insert(try await Self.vector("What is the capital of France?"), query: "What is the capital of France?",
                           context: Self.context(), answer: Self.answer)
        let hit = await cache.lookup(try await Self.vector("Which city is France's capital?"), context: Self.context())
        #expect(hit?.answer == Self.answer)
        #expect((hit?.similarity ?? 0) > 0.9)
        #expect(await cache.lookup(try await Self.vector("What is the capital of Germany?"), context: Self.context()) == nil)
        #expect(await cache.lookup(try await Self.vector("How do I bake sourdough bread?"), context: Self.context()) == nil)
        let stats = await cache.statistics()
        #expect(stats.entries == 1 && stats.hits == 1 && stats.misses == 2)
        #expect(abs(stats.hitRate - 1.0 / 3) < 1e-9)
        #expect((stats.meanHitSimilarity ?? 0) > 0.9)
    }

    @Test func otherTenantsSystemPromptsAndModelsMiss() async throws {
        let cache = try await makeCache()
        let v = try await Self.vector("What is the capital of France?")
        await cache.insert(v, query: "What is the capital of France?", context: Self.context(), answer: Self.answer)
        #expect(await cache.lookup(v, context: Self.context()) != nil)
        #expect(await cache.lookup(v, context: Self.context(tenant: "bob")) == nil)
        #expect(await cache.lookup(v, context: Self.context(system: "You are a pirate.")) == nil)
        #expect(await cache.lookup(v, context: Self.context(target: "qwen2.5-coder-0.5b")) == nil)
        let other = CacheContext(tenant: "alice", messages: [(role: "system", text: "You are helpful."), (role: "user", text: "x")],
                                 target: "auto", settings: "temperature=0.7")
        #expect(await cache.lookup(v, context: other) == nil)
    }

    @Test func expiredEntriesMissAndTimeSensitiveOnesExpireSooner() async throws {
        let clock = ManualClock()
        let cache = try await makeCache(clock: clock)
        let stable = try await Self.vector("What is the capital of France?")
        let weather = try await Self.vector("What's the weather like today?")
        await cache.insert(stable, query: "What is the capital of France?", context: Self.context(), answer: Self.answer)
        await cache.insert(weather, query: "What's the weather like today?", context: Self.context(), answer: Self.answer)
        clock.advance(601)
        #expect(await cache.lookup(weather, context: Self.context()) == nil)
        #expect(await cache.lookup(stable, context: Self.context()) != nil)
        clock.advance(86_400)
        #expect(await cache.lookup(stable, context: Self.context()) == nil)
    }

    @Test func entriesSurviveARestartAndClearEmptiesTheFile() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let v = try await Self.vector("What is the capital of France?")
        do {
            let cache = try await makeCache(path: path)
            await cache.insert(v, query: "What is the capital of France?", context: Self.context(), answer: Self.answer)
        }
        let reopened = try await makeCache(path: path)
        #expect(await reopened.count == 1)
        #expect(await reopened.lookup(try await Self.vector("Which city is France's capital?"), context: Self.context())?.answer == Self.answer)
        await reopened.clear()
        #expect(await (try await makeCache(path: path)).count == 0)
    }

    @Test func leastRecentlyUsedEntriesAreEvicted() async throws {
        let clock = ManualClock()
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let cache = try await makeCache(path: path, clock: clock, maxEntries: 2)
        let questions = ["What is the capital of France?", "How do I bake sourdough bread?", "Explain quantum entanglement."]
        var vectors: [[Float]] = []
        for q in questions { vectors.append(try await Self.vector(q)) }
        await cache.insert(vectors[0], query: questions[0], context: Self.context(), answer: Self.answer)
        clock.advance(1)
        await cache.insert(vectors[1], query: questions[1], context: Self.context(), answer: Self.answer)
        clock.advance(1)
        #expect(await cache.lookup(vectors[0], context: Self.context()) != nil)   // France is now the most recent
        clock.advance(1)
        await cache.insert(vectors[2], query: questions[2], context: Self.context(), answer: Self.answer)
        #expect(await cache.count == 2)
        #expect(await cache.lookup(vectors[1], context: Self.context()) == nil)   // bread was evicted
        #expect(await cache.lookup(vectors[0], context: Self.context()) != nil)
        #expect(await (try await makeCache(path: path, clock: clock)).count == 2)
    }
}
