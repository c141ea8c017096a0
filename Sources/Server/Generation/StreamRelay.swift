import Engine

/// One happening in a set of concurrently streamed choices.
enum ChoiceEvent: Sendable {
    case token(choice: Int, GeneratedToken)
    /// The choice ended; every choice reports this exactly once unless the relay fails first.
    case finished(choice: Int, ChoiceOutput)
    case failed(any Error)
    case timedOut(seconds: Double)
}

/// Runs several generations' event streams concurrently and hands their events, in arrival order,
/// to one consumer on the calling task (the response writer).
enum StreamRelay {
    /// Returns after every choice finished, or after delivering `failed`/`timedOut`. When
    /// `handle` throws (the client disconnected) the producers are cancelled, their streams
    /// dropped and the scheduler ends those sequences.
    static func relay(_ streams: [GenerationRunner.EventStream], timeout: Double?,
                      handle: (ChoiceEvent) async throws -> Void) async throws {
        let (events, sink) = AsyncStream<ChoiceEvent>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, stream) in streams.enumerated() {
                group.addTask {
                    var partial = ChoiceOutput()
                    do {
                        for try await event in stream {
                            switch event {
                            case let .token(token):
                                partial.append(token)
                                sink.yield(.token(choice: index, token))
                            case let .finished(result):
                                partial = ChoiceOutput(result)
                                sink.yield(.finished(choice: index, partial))
                                return
                            }
                        }
                        sink.yield(.finished(choice: index, partial))
                    } catch {
                        sink.yield(.failed(error))
                    }
                }
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    sink.yield(.timedOut(seconds: timeout))
                }
            }
            var remaining = streams.count
            for await event in events {
                try await handle(event)
                switch event {
                case .token: continue
                case .finished: remaining -= 1
                case .failed, .timedOut: remaining = 0
                }
                if remaining == 0 { break }
            }
            sink.finish()
            group.cancelAll()
        }
    }
}
