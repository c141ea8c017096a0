import Foundation
import Gateway
import ModelStore
import Testing

/// The MCP memory store with real MiniLM embeddings and a real SQLite file.
@Suite("Memory store")
struct MemoryStoreTests {
    static let provider = EmbeddingProvider(fetchMissing: false)   // as the server's served embeddings (f16)

    static let alice = MemoryScope(apiKey: "key-alice")
    static let bob = MemoryScope(apiKey: "key-bob")

    /// A clock the test moves by hand.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 1_000_000.0
        var now: Double { lock.withLock { value } }
        func advance(_ seconds: Double) { lock.withLock { value += seconds } }
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("memory-\(UUID().uuidString)/memory.sqlite").path
    }

    func makeStore(path: String? = Self.temporaryPath(), clock: ManualClock = ManualClock(),
                   retention: MemoryRetention = MemoryRetention()) throws -> MemoryStore {
        guard ModelStore().localPath(for: EmbeddingProvider.modelID) != nil else {
            Issue.record("minilm-l6-v2 is not fetched: run `groupqwen models fetch minilm-l6-v2` (the README's test command does)")
            throw CancellationError()
        }
        return try MemoryStore(path: path, retention: retention, embeddings: Self.provider, clock: { clock.now })
    }

    @Test func findsByParaphraseBestFirst() async throws {
        let store = try makeStore()
        let paris = try await store.store("The user's favourite city is Paris.", tags: ["prefs"], scope: Self.alice)
        _ = try await store.store("The project deadline is next Friday.", tags: ["work"], scope: Self.alice)
        _ = try await store.store("Bake sourdough bread at 250 degrees for 40 minutes.", scope: Self.alice)
        let matches = try await store.search("Which city does the user like most?", scope: Self.alice, threshold: -1)
        #expect(matches.count == 3)
        // The default threshold 0.0 drops what points away from the query.
        let positive = try await store.search("Which city does the user like most?", scope: Self.alice)
        #expect(positive.allSatisfy { $0.similarity >= 0 } && positive.first?.entry.id == paris.id)
        #expect(matches.first?.entry.id == paris.id)
        #expect(matches.first?.entry.tags == ["prefs"])
        #expect(zip(matches, matches.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
        let strict = try await store.search("Which city does the user like most?", scope: Self.alice, threshold: 0.5)
        #expect(strict.map(\.entry.id) == [paris.id])
        let top1 = try await store.search("When is the project due?", scope: Self.alice, topK: 1)
        #expect(top1.count == 1 && top1[0].entry.text.contains("deadline"))
    }

    @Test func scopesAreIsolated() async throws {
        let store = try makeStore()
        let secret = try await store.store("Alice's locker code is 4521.", scope: Self.alice)
        #expect(try await store.search("locker code", scope: Self.bob).isEmpty)
        #expect(await store.entries(scope: Self.bob).isEmpty)
        await #expect(throws: MemoryStoreError.notFound(id: secret.id)) { try await store.delete(id: secret.id, scope: Self.bob) }
        await #expect(throws: MemoryStoreError.notFound(id: secret.id)) { _ = try await store.entry(id: secret.id, scope: Self.bob) }
        #expect(try await store.search("locker code", scope: Self.alice).first?.entry == secret)
        #expect(MemoryScope(apiKey: "key-alice") == Self.alice)
        #expect(Self.alice.hash.count == 64 && !Self.alice.hash.contains("alice"))
    }

    @Test func expiredMemoriesAreNotReturnedAndArePurged() async throws {
        let clock = ManualClock()
        let path = Self.temporaryPath()
        let store = try makeStore(path: path, clock: clock, retention: MemoryRetention(ephemeralSeconds: 60, sessionSeconds: 600))
        let ephemeral = try await store.store("The meeting room is B12.", preservation: .ephemeral, scope: Self.alice)
        let session = try await store.store("The meeting is about the budget.", preservation: .session, scope: Self.alice)
        let permanent = try await store.store("The user's name is Dana.", preservation: .permanent, scope: Self.alice)
        #expect(ephemeral.expires == clock.now + 60 && session.expires == clock.now + 600 && permanent.expires == nil)
        #expect(await store.entries(scope: Self.alice).count == 3)

        clock.advance(61)
        #expect(try await store.search("meeting room", scope: Self.alice).map(\.entry.id).contains(ephemeral.id) == false)
        #expect(await store.entries(scope: Self.alice).map(\.id) == [session.id, permanent.id])
        clock.advance(600)
        #expect(await store.entries(scope: Self.alice).map(\.id) == [permanent.id])

        // The file no longer holds them either: a store reopened at an earlier time finds only the permanent one.
        let rewound = ManualClock()
        let reopened = try makeStore(path: path, clock: rewound)
        #expect(await reopened.entries(scope: Self.alice).map(\.id) == [permanent.id])
    }

    @Test func tagFilterNeedsEveryTag() async throws {
        let store = try makeStore()
        let both = try await store.store("Deploy with `make release` on Fridays.", tags: ["work", "deploy"], scope: Self.alice)
        let work = try await store.store("Standup is at 9:30 every morning.", tags: ["work"], scope: Self.alice)
        _ = try await store.store("Water the plants on Sunday.", tags: ["home"], scope: Self.alice)
        let workOnly = try await store.search("what happens at work", scope: Self.alice, tags: ["work"])
        #expect(Set(workOnly.map(\.entry.id)) == [both.id, work.id])
        let deploy = try await store.search("what happens at work", scope: Self.alice, tags: ["work", "deploy"])
        #expect(deploy.map(\.entry.id) == [both.id])
        #expect(try await store.search("anything", scope: Self.alice, tags: ["missing"]).isEmpty)
        let tidy = try await store.store("Tags are trimmed.", tags: [" a ", "a", "", "b"], scope: Self.alice)
        #expect(tidy.tags == ["a", "b"])
    }

    @Test func deleteRemovesFromMemoryAndFile() async throws {
        let path = Self.temporaryPath()
        let store = try makeStore(path: path)
        let keep = try await store.store("Keep this one.", scope: Self.alice)
        let drop = try await store.store("Drop this one.", scope: Self.alice)
        try await store.delete(id: drop.id, scope: Self.alice)
        #expect(await store.entries(scope: Self.alice).map(\.id) == [keep.id])
        await #expect(throws: MemoryStoreError.notFound(id: drop.id)) { try await store.delete(id: drop.id, scope: Self.alice) }
        let reopened = try makeStore(path: path)
        #expect(await reopened.entries(scope: Self.alice) == [keep])
        #expect(try await reopened.search("Keep this one.", scope: Self.alice).first.map { $0.similarity > 0.99 } == true)
    }

    @Test func rejectsBadArguments() async throws {
        let store = try makeStore(path: nil)
        await #expect(throws: MemoryStoreError.emptyText(field: "text")) { _ = try await store.store("   ", scope: Self.alice) }
        await #expect(throws: MemoryStoreError.emptyText(field: "query")) { _ = try await store.search("", scope: Self.alice) }
        await #expect(throws: MemoryStoreError.self) { _ = try await store.search("x", scope: Self.alice, topK: 0) }
        await #expect(throws: MemoryStoreError.self) { _ = try await store.search("x", scope: Self.alice, threshold: 1.5) }
    }
}
