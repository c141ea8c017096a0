import Foundation

/// Takes a failing backend out of rotation and lets it back in: after `failureThreshold` consecutive
/// failures the circuit opens and requests fail fast for `cooldown`; then one trial request (or a health
/// check) is let through, and its success closes the circuit again.
public final class CircuitBreaker: Sendable {
    public enum State: String, Sendable { case closed, open, halfOpen = "half_open" }

    public let failureThreshold: Int
    public let cooldown: Duration
    private let stored: Mutex

    private struct Fields {
        var state = State.closed
        var failures = 0
        var openedAt: ContinuousClock.Instant?
    }

    private final class Mutex: @unchecked Sendable {
        let lock = NSLock()
        var fields = Fields()
    }

    public init(failureThreshold: Int = 3, cooldown: Duration = .seconds(10)) {
        self.failureThreshold = max(1, failureThreshold)
        self.cooldown = cooldown
        self.stored = Mutex()
    }

    private func withFields<T>(_ body: (inout Fields) -> T) -> T {
        stored.lock.lock()
        defer { stored.lock.unlock() }
        return body(&stored.fields)
    }

    /// The current state (an open circuit past its cooldown reports `halfOpen`).
    public func state(now: ContinuousClock.Instant = .now) -> State {
        withFields { f in
            if f.state == .open, let opened = f.openedAt, now - opened >= cooldown { return .halfOpen }
            return f.state
        }
    }

    /// Whether a request may go to the backend now. In the half-open state only one trial passes until
    /// it reports back.
    public func allowRequest(now: ContinuousClock.Instant = .now) -> Bool {
        withFields { f in
            switch f.state {
            case .closed: return true
            case .halfOpen: return false   // a trial is already in flight
            case .open:
                guard let opened = f.openedAt, now - opened >= cooldown else { return false }
                f.state = .halfOpen
                return true
            }
        }
    }

    public func recordSuccess() {
        withFields { f in
            f.state = .closed
            f.failures = 0
            f.openedAt = nil
        }
    }

    public func recordFailure(now: ContinuousClock.Instant = .now) {
        withFields { f in
            f.failures += 1
            if f.state == .halfOpen || f.failures >= failureThreshold {
                f.state = .open
                f.openedAt = now
            }
        }
    }
}
