import Engine
import Foundation
import Gateway

/// Submits generations to a model's scheduler and consumes their event streams.
///
/// Submission is synchronous so queue-full, context and argument errors surface before any
/// response header is written. Consumers that stop early (client gone, JSON object complete,
/// timeout) simply drop their stream, which cancels the sequence in the scheduler.
enum GenerationRunner {
    typealias EventStream = AsyncThrowingStream<GenerationEvent, any Error>

    /// Queues one generation per options value; if any is refused, those already queued are
    /// dropped (and so cancelled) and the error is thrown.
    static func submit(model: LocalModel, promptIDs: [Int32], options: [GenerationOptions]) throws -> [EventStream] {
        var streams: [EventStream] = []
        for option in options {
            streams.append(try model.generate(promptIDs: promptIDs, options: option))
        }
        return streams
    }

    /// Consumes every stream concurrently to its end. With `jsonObject`, a stream is abandoned as
    /// soon as its text (after `prefix`) holds one complete JSON object. Throws `APIError.timeout`
    /// when `timeout` passes first (all generations are then cancelled).
    static func collectAll(_ streams: [EventStream], timeout: Double?, jsonObjectAfter prefix: String? = nil) async throws -> [ChoiceOutput] {
        try await withThrowingTaskGroup(of: (Int, ChoiceOutput)?.self) { group in
            for (index, stream) in streams.enumerated() {
                group.addTask { (index, try await collect(stream, jsonObjectAfter: prefix)) }
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    throw APIError.timeout(seconds: timeout)
                }
            }
            var outputs = [ChoiceOutput?](repeating: nil, count: streams.count)
            var remaining = streams.count
            while remaining > 0, let next = try await group.next() {
                guard let (index, output) = next else { continue }
                outputs[index] = output
                remaining -= 1
            }
            group.cancelAll()
            return outputs.map { $0 ?? ChoiceOutput() }
        }
    }

    /// Consumes one stream. A stream that ends without a result (cancelled) yields what it had.
    static func collect(_ stream: EventStream, jsonObjectAfter prefix: String? = nil) async throws -> ChoiceOutput {
        var partial = ChoiceOutput()
        var scanner = prefix.map { p -> JSONObjectScanner in
            var s = JSONObjectScanner()
            s.feed(p)
            return s
        }
        for try await event in stream {
            switch event {
            case let .token(token):
                partial.append(token)
                if scanner != nil {
                    scanner?.feed(token.text)
                    if scanner?.isComplete == true {
                        partial.finishReason = .stop
                        return partial
                    }
                }
            case let .finished(result):
                return ChoiceOutput(result)
            }
        }
        return partial
    }
}
