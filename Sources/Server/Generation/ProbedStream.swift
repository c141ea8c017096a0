import Engine

/// A generation whose first tokens can be judged before anything is sent: a pump task forwards every
/// event to `events` (buffered) and reports the first `probeTokens` tokens, or all of them when the
/// generation ends sooner, through `firstTokens()`. `cancel()` drops the generation (the scheduler then
/// ends the sequence); so does abandoning `events`.
final class ProbedStream: Sendable {
    let events: GenerationRunner.EventStream
    private let probe: AsyncStream<[GeneratedToken]>
    private let pump: Task<Void, Never>

    init(_ source: GenerationRunner.EventStream, probeTokens: Int) {
        let (events, sink) = GenerationRunner.EventStream.makeStream()
        let (probe, probeSink) = AsyncStream<[GeneratedToken]>.makeStream()
        pump = Task {
            var seen: [GeneratedToken] = []
            var reported = false
            func report() {
                guard !reported else { return }
                reported = true
                probeSink.yield(seen)
                probeSink.finish()
            }
            do {
                for try await event in source {
                    sink.yield(event)
                    switch event {
                    case let .token(token):
                        seen.append(token)
                        if seen.count >= probeTokens { report() }
                    case .finished:
                        report()
                    }
                }
                report()
                sink.finish()
            } catch {
                report()
                sink.finish(throwing: error)
            }
        }
        let pump = self.pump
        sink.onTermination = { _ in pump.cancel() }
        self.events = events
        self.probe = probe
    }

    /// The first tokens (fewer when the generation ended or failed first).
    func firstTokens() async -> [GeneratedToken] {
        for await tokens in probe { return tokens }
        return []
    }

    /// Stops the generation.
    func cancel() { pump.cancel() }
}
