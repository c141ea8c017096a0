import ArgumentParser
import Foundation
import Gateway

/// `groupqwen bench-cache [--entries N]`: semantic-cache lookup latency and memory with N stored entries.
struct CacheBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-cache",
        abstract: "Measure semantic-cache hits (embedding + lookup, server-side) and the memory N entries take.")

    @Option(help: "Entries stored before measuring (all in one context: the worst case for a lookup).")
    var entries = 100_000

    @Option(help: "SQLite file for the entries (default: a temporary file, deleted afterwards).")
    var path: String?

    @Option(help: "Threads of the embedding model (the server's cache keys use 1).")
    var threads = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    static let questions = [
        ("What is the capital of France?", "Which city is France's capital?"),
        ("How do I bake sourdough bread?", "What's the way to make sourdough bread at home?"),
        ("Explain quantum entanglement in simple terms.", "Can you explain quantum entanglement simply?"),
        ("How do I reverse a list in Python?", "What is the way to reverse a Python list?"),
        ("What causes the seasons on Earth?", "Why does Earth have seasons?"),
        ("How many legs does a spider have?", "What is the number of legs on a spider?"),
        ("Translate 'good morning' into Spanish.", "How do you say good morning in Spanish?"),
        ("What is the boiling point of water?", "At what temperature does water boil?"),
    ]

    func run() async throws {
        try await reportingErrors {
            guard entries >= Self.questions.count else { throw ValidationError("--entries must be at least \(Self.questions.count)") }
            let provider = EmbeddingProvider(threads: threads, precision: .q8_0)   // as the server's cache keys
            _ = try await provider.embed(["warm up"])
            let file = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("groupqwen-cache-bench-\(getpid()).sqlite").path
            defer { if path == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } } }
            var configuration = SemanticCacheConfiguration()
            configuration.path = file
            configuration.maxEntries = entries
            let context = CacheContext(tenant: "bench", messages: [], target: "auto", settings: "")
            let answer = CachedAnswer(text: String(repeating: "An answer of about two hundred bytes. ", count: 5), model: "smollm2-135m",
                                      tier: 0, finishReason: "stop", promptTokens: 30, completionTokens: 50)

            let before = Self.residentMB()
            let cache = try await SemanticCache(configuration: configuration)
            let fillStart = ContinuousClock.now
            var random = SystemRandomNumberGenerator()
            for (question, _) in Self.questions {
                await cache.insert(try await provider.embed([question]).vectors[0], query: question, context: context, answer: answer)
            }
            for _ in Self.questions.count..<entries {
                var v = (0..<384).map { _ in Float.random(in: -1...1, using: &random) }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                v = v.map { $0 / norm }
                await cache.insert(v, query: "random", context: context, answer: answer)
            }
            let fillSeconds = Self.seconds(ContinuousClock.now - fillStart)
            let after = Self.residentMB()

            // Server-side hit path: embed the paraphrase, look it up.
            var hitTimes: [Double] = [], missTimes: [Double] = [], embedTimes: [Double] = [], lookupTimes: [Double] = []
            var hits = 0
            for round in 0..<25 {
                for (i, (_, paraphrase)) in Self.questions.enumerated() {
                    let start = ContinuousClock.now
                    let vector = try await provider.embed([paraphrase]).vectors[0]
                    let embedded = ContinuousClock.now
                    let hit = await cache.lookup(vector, context: context)
                    let end = ContinuousClock.now
                    guard hit != nil else { continue }
                    hits += 1
                    hitTimes.append(Self.seconds(end - start) * 1000)
                    embedTimes.append(Self.seconds(embedded - start) * 1000)
                    lookupTimes.append(Self.seconds(end - embedded) * 1000)
                    if round == 0, i < 4 {
                        let start = ContinuousClock.now
                        let other = try await provider.embed(["Unrelated question number \(i) about turtles"]).vectors[0]
                        _ = await cache.lookup(other, context: context)
                        missTimes.append(Self.seconds(ContinuousClock.now - start) * 1000)
                    }
                }
            }
            guard !hitTimes.isEmpty else { throw ValidationError("no lookup hit; the paraphrases are below the threshold") }
            hitTimes.sort(); embedTimes.sort(); lookupTimes.sort()
            let p50 = hitTimes[hitTimes.count / 2], p99 = hitTimes[min(hitTimes.count - 1, hitTimes.count * 99 / 100)]
            let added = after - before
            let stats = await cache.statistics()
            // A restart: the index is rebuilt from the SQLite file (vectors read, signatures recomputed).
            let reopenStart = ContinuousClock.now
            let reopened = try await SemanticCache(configuration: configuration)
            let reopenSeconds = Self.seconds(ContinuousClock.now - reopenStart)
            let reopenedCount = await reopened.count
            if json {
                try printJSON(["entries": entries, "hit_p50_ms": p50, "hit_p99_ms": p99, "hits": hits, "embed_p50_ms": embedTimes[embedTimes.count / 2], "lookup_p50_ms": lookupTimes[lookupTimes.count / 2],
                               "rss_added_mb": added, "fill_seconds": fillSeconds, "memory_bytes": stats.memoryBytes,
                               "reopen_seconds": reopenSeconds])
            } else {
                print(String(format: "entries %d (one context), filled in %.1f s (SQLite, WAL)", entries, fillSeconds))
                func p(_ v: [Double], _ q: Int) -> Double { v[min(v.count - 1, v.count * q / 100)] }
                print(String(format: "hit (embed + lookup): p50 %.2f ms, p99 %.2f ms over %d hits (goal < 10 ms)", p50, p99, hits))
                print(String(format: "  embedding p50 %.2f / p99 %.2f ms, lookup p50 %.2f / p99 %.2f ms",
                             p(embedTimes, 50), p(embedTimes, 99), p(lookupTimes, 50), p(lookupTimes, 99)))
                print(String(format: "miss (embed + lookup): mean %.2f ms", missTimes.reduce(0, +) / Double(max(1, missTimes.count))))
                print(String(format: "restart: %d entries loaded from the file in %.2f s", reopenedCount, reopenSeconds))
                print(String(format: "resident memory added by the entries: %.0f MB (%.0f bytes each; goal < 300 MB for 100,000)",
                             added, added * 1_048_576 / Double(entries)))
            }
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Current resident set size from /proc/self/statm, MiB.
    static func residentMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
