import Foundation

/// What a streamed generation reports.
public enum GenerationEvent: Sendable {
    case token(GeneratedToken)
    case finished(GenerationResult)
}

extension Generator {
    /// Runs `generate` on its own thread and streams each token, then the result. Cancelling the
    /// consuming task (or dropping the stream) stops generation at the next token.
    public func stream(promptIDs: [Int32], options: GenerationOptions) -> AsyncThrowingStream<GenerationEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, Error>.makeStream(bufferingPolicy: .unbounded)
        let cancelled = CancellationFlag()
        continuation.onTermination = { _ in cancelled.set() }
        let thread = Thread { [self] in
            do {
                let result = try generate(promptIDs: promptIDs, options: options) { token in
                    guard !cancelled.isSet else { return false }
                    continuation.yield(.token(token))
                    return true
                }
                continuation.yield(.finished(result))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        return stream
    }
}

/// A thread-safe one-way flag.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
