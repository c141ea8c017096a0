import Foundation
import Gateway

/// One message of the live dashboard (`/v1/ws/metrics`, also `GET /v1/metrics/live`): the last minutes of traffic
/// from ``LiveStatistics``, the semantic cache's counts and every model's state.
struct LiveSnapshot: Encodable, Sendable {
    /// The traffic part, from ``LiveStatistics/snapshot(now:seriesStep:)``.
    struct Traffic: Sendable {
        let uptime: Double
        let requestsPerSecond: Double
        let tokensPerSecond: Double
        /// Completions in the last five minutes (nil: none).
        let latency: Percentiles?
        /// Streamed completions' time to first token in the last five minutes (nil: none).
        let firstToken: Percentiles?
        let totals: LiveStatistics.Totals
        let escalationsByReason: [String: Int]
        let seriesStep: Int
        let points: [Point]
    }

    /// `seriesStep` seconds of traffic starting at `t` (Unix seconds).
    struct Point: Sendable, Encodable {
        let t: Double
        let requests: Int
        let completionTokens: Int
        let latencyP50: Double?
        let cacheHits: Int
        let errors: Int

        enum CodingKeys: String, CodingKey {
            case t, requests, errors
            case completionTokens = "completion_tokens", latencyP50 = "latency_p50_ms", cacheHits = "cache_hits"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(t, forKey: .t)
            try c.encode(requests, forKey: .requests)
            try c.encode(completionTokens, forKey: .completionTokens)
            try c.encode(latencyP50, forKey: .latencyP50)
            try c.encode(cacheHits, forKey: .cacheHits)
            try c.encode(errors, forKey: .errors)
        }
    }

    struct Cache: Sendable, Encodable {
        let enabled: Bool
        let hits: Int
        let misses: Int
        let hitRate: Double?
        let entries: Int

        enum CodingKeys: String, CodingKey { case enabled, hits, misses, entries, hitRate = "hit_rate" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(enabled, forKey: .enabled)
            try c.encode(hits, forKey: .hits)
            try c.encode(misses, forKey: .misses)
            try c.encode(hitRate, forKey: .hitRate)
            try c.encode(entries, forKey: .entries)
        }
    }

    /// A configured model: local (`state` loaded, loading or available) or remote (`remote`, `up` from its circuit).
    struct Model: Sendable, Encodable {
        let id: String
        let state: String
        let tier: Int
        let remote: Bool
        let up: Bool
        let active: Int
        let queued: Int
        let error: String?
    }

    struct Series: Sendable, Encodable {
        let stepSeconds: Int
        let points: [Point]
        enum CodingKeys: String, CodingKey { case points, stepSeconds = "step_s" }
    }

    let type = "metrics"
    let time: Double
    let traffic: Traffic
    let cache: Cache
    let models: [Model]

    enum CodingKeys: String, CodingKey {
        case type, time, totals, cache, escalations, models, series
        case uptime = "uptime_s", requestsPerSecond = "requests_per_s", tokensPerSecond = "tokens_per_s"
        case latency = "latency_ms", firstToken = "ttft_ms"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(time, forKey: .time)
        try c.encode(traffic.uptime.rounded(), forKey: .uptime)
        try c.encode((traffic.requestsPerSecond * 100).rounded() / 100, forKey: .requestsPerSecond)
        try c.encode((traffic.tokensPerSecond * 100).rounded() / 100, forKey: .tokensPerSecond)
        try c.encode(traffic.latency, forKey: .latency)
        try c.encode(traffic.firstToken, forKey: .firstToken)
        try c.encode(traffic.totals, forKey: .totals)
        try c.encode(cache, forKey: .cache)
        try c.encode(traffic.escalationsByReason, forKey: .escalations)
        try c.encode(models, forKey: .models)
        try c.encode(Series(stepSeconds: traffic.seriesStep, points: traffic.points), forKey: .series)
    }

    /// The snapshot of `state` now.
    static func current(_ state: ServerState, now: Date = Date()) async -> LiveSnapshot {
        let traffic = state.metrics.live.snapshot(now: now)
        let cache: Cache
        if let semantic = state.cache {
            let s = await semantic.statistics()
            let lookups = traffic.totals.cacheHits + traffic.totals.cacheMisses
            cache = Cache(enabled: true, hits: traffic.totals.cacheHits, misses: traffic.totals.cacheMisses,
                          hitRate: lookups > 0 ? Double(traffic.totals.cacheHits) / Double(lookups) : nil, entries: s.entries)
        } else {
            cache = Cache(enabled: false, hits: 0, misses: 0, hitRate: nil, entries: 0)
        }
        var models = await state.pool.statuses().map { status in
            Model(id: status.served.id, state: status.state.rawValue, tier: status.served.tier, remote: false,
                  up: status.lastError == nil, active: status.activeSequences, queued: status.queuedRequests, error: status.lastError)
        }
        for served in state.configuration.models where served.remote != nil {
            let up = state.remotes[served.id].map { $0.breaker.state() != .open } ?? false
            models.append(Model(id: served.id, state: up ? "remote" : "remote_down", tier: served.tier, remote: true, up: up,
                                active: 0, queued: 0, error: nil))
        }
        return LiveSnapshot(time: (now.timeIntervalSince1970 * 1000).rounded() / 1000, traffic: traffic, cache: cache, models: models)
    }
}
