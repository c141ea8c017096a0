import Foundation

/// The last five minutes of traffic, second by second, for the web console's live dashboard
/// (`/v1/ws/metrics`): requests, tokens, latencies, time to first token, cache results, errors and
/// escalations, plus totals since start. Prometheus (`/metrics`) keeps the long-term counters; this keeps
/// only what a screen shows, in fixed memory (300 one-second buckets).
final class LiveStatistics: Sendable {
    /// Seconds of history kept.
    static let horizon = 300

    struct Bucket: Sendable {
        var second: Int64 = -1
        var requests = 0, errors = 0, completions = 0, promptTokens = 0, completionTokens = 0
        var cacheHits = 0, cacheMisses = 0, escalations = 0
        /// Completion latencies and streamed times to first token, in milliseconds.
        var latencies: [Double] = [], firstTokens: [Double] = []
    }

    struct Totals: Sendable, Encodable {
        var requests = 0, completions = 0, promptTokens = 0, completionTokens = 0, errors = 0, escalations = 0
        var cacheHits = 0, cacheMisses = 0

        enum CodingKeys: String, CodingKey {
            case requests, completions, errors, escalations
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
        }
    }

    private struct State: Sendable {
        var buckets = [Bucket](repeating: Bucket(), count: LiveStatistics.horizon)
        var totals = Totals()
        var escalationsByReason: [String: Int] = [:]
    }

    private let state = LockedValue(State())
    let started = Date()

    /// The bucket of `now`, emptied first when it last held an older second.
    private static func update(_ state: inout State, at now: Date, _ change: (inout Bucket) -> Void) {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let i = Int(second % Int64(horizon))
        if state.buckets[i].second != second { state.buckets[i] = Bucket(second: second) }
        change(&state.buckets[i])
    }

    /// An API request answered with `status`.
    func recordRequest(status: Int, now: Date = Date()) {
        state.update { s in
            s.totals.requests += 1
            if status >= 400 { s.totals.errors += 1 }
            Self.update(&s, at: now) { b in
                b.requests += 1
                if status >= 400 { b.errors += 1 }
            }
        }
    }

    /// A finished completion. `cache` is `hit`, `miss` or `bypass`.
    func recordCompletion(promptTokens: Int, completionTokens: Int, duration: Duration, cache: String, now: Date = Date()) {
        let ms = duration.milliseconds
        state.update { s in
            s.totals.completions += 1
            s.totals.promptTokens += promptTokens
            s.totals.completionTokens += completionTokens
            if cache == "hit" { s.totals.cacheHits += 1 } else if cache == "miss" { s.totals.cacheMisses += 1 }
            Self.update(&s, at: now) { b in
                b.completions += 1
                b.promptTokens += promptTokens
                b.completionTokens += completionTokens
                b.latencies.append(ms)
                if cache == "hit" { b.cacheHits += 1 } else if cache == "miss" { b.cacheMisses += 1 }
            }
        }
    }

    /// A streamed completion's first token.
    func recordFirstToken(after duration: Duration, now: Date = Date()) {
        state.update { s in Self.update(&s, at: now) { $0.firstTokens.append(duration.milliseconds) } }
    }

    /// One move to a bigger model.
    func recordEscalation(reason: String, now: Date = Date()) {
        state.update { s in
            s.totals.escalations += 1
            s.escalationsByReason[reason, default: 0] += 1
            Self.update(&s, at: now) { $0.escalations += 1 }
        }
    }

    /// What the dashboard shows of the traffic at `now` (models and cache size are added by the caller).
    func snapshot(now: Date = Date(), seriesStep: Int = 5) -> LiveSnapshot.Traffic {
        let snapshot = state.value
        let (buckets, totals, reasons) = (snapshot.buckets, snapshot.totals, snapshot.escalationsByReason)
        let current = Int64(now.timeIntervalSince1970.rounded(.down))
        // The buckets of the last `seconds` seconds, the current (partial) one included.
        func window(_ seconds: Int) -> [Bucket] {
            buckets.filter { $0.second > current - Int64(seconds) && $0.second <= current }
        }
        let recent = window(10), all = window(Self.horizon)
        var points: [LiveSnapshot.Point] = []
        let steps = Self.horizon / seriesStep
        for k in 0..<steps {
            let end = current - Int64((steps - 1 - k) * seriesStep)   // inclusive, newest point ends now
            let start = end - Int64(seriesStep) + 1
            let slice = all.filter { $0.second >= start && $0.second <= end }
            points.append(LiveSnapshot.Point(
                t: Double(start), requests: slice.reduce(0) { $0 + $1.requests },
                completionTokens: slice.reduce(0) { $0 + $1.completionTokens },
                latencyP50: Percentiles(slice.flatMap(\.latencies))?.p50,
                cacheHits: slice.reduce(0) { $0 + $1.cacheHits }, errors: slice.reduce(0) { $0 + $1.errors }))
        }
        return LiveSnapshot.Traffic(
            uptime: now.timeIntervalSince(started),
            requestsPerSecond: Double(recent.reduce(0) { $0 + $1.requests }) / 10,
            tokensPerSecond: Double(recent.reduce(0) { $0 + $1.completionTokens }) / 10,
            latency: Percentiles(all.flatMap(\.latencies)), firstToken: Percentiles(all.flatMap(\.firstTokens)),
            totals: totals, escalationsByReason: reasons, seriesStep: seriesStep, points: points)
    }
}

/// p50, p90 and p99 of a sample (nearest rank), in milliseconds rounded to 0.1.
struct Percentiles: Sendable, Encodable, Equatable {
    let p50: Double, p90: Double, p99: Double

    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ q: Double) -> Double {
            (sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))] * 10).rounded() / 10
        }
        p50 = rank(0.5)
        p90 = rank(0.9)
        p99 = rank(0.99)
    }
}

extension Duration {
    /// This duration in (fractional) milliseconds.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
