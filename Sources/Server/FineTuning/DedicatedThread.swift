import Foundation

/// Runs blocking work (training, validating a large file) on a thread of its own, so it never occupies one of
/// the few threads of Swift's concurrency pool that serve requests.
enum DedicatedThread {
    static func run<T: Sendable>(name: String, stackSize: Int = 16 << 20,
                                 _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.stackSize = stackSize
            thread.start()
        }
    }
}
