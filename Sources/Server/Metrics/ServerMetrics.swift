import Foundation
import Gateway
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`). Counters and histograms are updated as requests
/// finish; model gauges (loaded, active sequences, queue depth) are read from the pool at scrape time.
/// Labels carry model ids, tiers, endpoints and statuses, never request contents.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The last minutes of traffic, for the web console's live dashboard.
    let live = LiveStatistics()
    private static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60),
    ]

    private func descriptor(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "groupqwen", metricName: name, unitName: unit, helpText: help)
    }

    /// Any HTTP request, by route and status (recorded by `MetricsMiddleware`).
    func recordHTTP(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: descriptor("http_requests", unit: "total", help: "HTTP requests by route and status"),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(
            descriptor: descriptor("http_request_duration", unit: "seconds", help: "HTTP request latency (until the response head)"),
            labels: [("route", route)], buckets: Self.latencyBuckets).record(duration)
        // The dashboard's own polling is not traffic.
        if route.hasPrefix("/v1/"), route != "/v1/metrics/live", route != MetricsWebSocket.path { live.recordRequest(status: status) }
    }

    /// A finished completion on one model: its tokens, latency and the routing that led there. `model` is
    /// the configured model that ran; `adapter` names the LoRA adapters applied (`a+b`), `none` without.
    func recordCompletion(endpoint: String, model: String, tier: Int, status: String, promptTokens: Int,
                          completionTokens: Int, duration: Duration, cache: String, adapter: String = "none") {
        let labels = [("endpoint", endpoint), ("model", model), ("tier", String(tier)), ("status", status), ("adapter", adapter)]
        registry.makeCounter(descriptor: descriptor("completions", unit: "total", help: "Completions by model, tier, status and adapter"),
                             labels: labels).increment()
        registry.makeCounter(descriptor: descriptor("prompt_tokens", unit: "total", help: "Prompt tokens processed"),
                             labels: [("model", model)]).increment(by: Int64(promptTokens))
        registry.makeCounter(descriptor: descriptor("completion_tokens", unit: "total", help: "Tokens generated"),
                             labels: [("model", model)]).increment(by: Int64(completionTokens))
        registry.makeDurationHistogram(
            descriptor: descriptor("completion_duration", unit: "seconds", help: "Completion latency, request to last token"),
            labels: [("endpoint", endpoint), ("model", model)], buckets: Self.latencyBuckets).record(duration)
        registry.makeCounter(descriptor: descriptor("cache_lookups", unit: "total", help: "Semantic cache lookups by result"),
                             labels: [("result", cache)]).increment()
        live.recordCompletion(promptTokens: promptTokens, completionTokens: completionTokens, duration: duration, cache: cache)
    }

    private static let routingBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    /// One request routed among the experts (`none` when no expert was chosen), and how long routing took, embedding
    /// included.
    func recordExpertRoute(expert: String, duration: Duration) {
        registry.makeCounter(descriptor: descriptor("expert_routes", unit: "total", help: "Requests routed among the LoRA experts, by expert"),
                             labels: [("expert", expert)]).increment()
        registry.makeDurationHistogram(
            descriptor: descriptor("expert_routing", unit: "seconds", help: "Expert routing latency, query embedding included"),
            labels: [], buckets: Self.routingBuckets).record(duration)
    }

    /// The engine's time to first token of one finished local completion, split by whether it reused a kept prefix.
    func recordPromptTime(model: String, seconds: Double, cachedTokens: Int) {
        registry.makeDurationHistogram(
            descriptor: descriptor("prompt_duration", unit: "seconds",
                                   help: "Local completions: time from scheduling to the first token, by prefix-cache use"),
            labels: [("model", model), ("prefix", cachedTokens > 0 ? "hit" : "miss")], buckets: Self.latencyBuckets)
            .record(.milliseconds(Int64(seconds * 1000)))
    }

    /// Time from receiving a streamed request to sending its first token.
    func recordFirstToken(model: String, after duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: descriptor("time_to_first_token", unit: "seconds", help: "Streamed requests: time to the first token"),
            labels: [("model", model)], buckets: Self.latencyBuckets).record(duration)
        live.recordFirstToken(after: duration)
    }

    /// One move to a bigger model.
    /// An answer from a lower tier because every candidate at or above the routed one was down (`routing.fallback`).
    func recordDegraded(model: String, routedTier: Int) {
        registry.makeCounter(descriptor: descriptor("degraded_requests", unit: "total",
                                                    help: "Requests answered by a lower tier because the routed ones were down"),
                             labels: [("model", model), ("routed_tier", String(routedTier))])
            .increment()
    }

    func recordEscalation(_ escalation: Escalation) {
        registry.makeCounter(descriptor: descriptor("escalations", unit: "total", help: "Escalations to a bigger model by reason"),
                             labels: [("from", escalation.from), ("to", escalation.to ?? ""), ("reason", escalation.reason.rawValue)])
            .increment()
        live.recordEscalation(reason: escalation.reason.rawValue)
    }

    /// An adapter that could not be loaded (`POST /v1/adapters` with a bad or unfit file).
    func recordAdapterLoadFailure(model: String) {
        registry.makeCounter(descriptor: descriptor("adapter_load_failures", unit: "total",
                                                    help: "LoRA adapters that could not be loaded, by base model"),
                             labels: [("model", model)]).increment()
    }

    /// Refreshes the per-model, per-adapter and per-backend gauges, then renders the exposition text.
    func render(pool: ModelPool, remotes: [String: RemoteBackend], adapters: AdapterCatalog = AdapterCatalog(),
                connections: ConnectionGuard? = nil) async -> [UInt8] {
        if let connections {
            registry.makeGauge(descriptor: descriptor("open_connections", unit: "", help: "HTTP connections open"))
                .set(to: Double(connections.openConnections))
            registry.makeGauge(descriptor: descriptor("rejected_connections", unit: "", help: "Connections refused by limits.max_connections since start"))
                .set(to: Double(connections.rejectedConnections))
        }
        for (id, backend) in remotes {
            let state = backend.breaker.state()
            registry.makeGauge(descriptor: descriptor("backend_up", unit: "", help: "0 while a remote backend's circuit is open"),
                               labels: [("model", id), ("url", backend.endpoint.url)]).set(to: state == .open ? 0.0 : 1.0)
        }
        for status in await pool.statuses() {
            let id = status.served.id
            registry.makeGauge(descriptor: descriptor("model_loaded", unit: "", help: "1 when the model is in memory"),
                               labels: [("model", id)]).set(to: status.state == .loaded ? 1.0 : 0.0)
            registry.makeGauge(descriptor: descriptor("model_up", unit: "", help: "0 when the model's last load failed"),
                               labels: [("model", id)]).set(to: status.lastError == nil ? 1.0 : 0.0)
            registry.makeGauge(descriptor: descriptor("active_sequences", unit: "", help: "Sequences generating"),
                               labels: [("model", id)]).set(to: Double(status.activeSequences))
            registry.makeGauge(descriptor: descriptor("queue_depth", unit: "", help: "Requests waiting for a slot"),
                               labels: [("model", id)]).set(to: Double(status.queuedRequests))
            let prefix = status.prefixCache
            for (kind, tokens) in [("cached", prefix.cachedTokens), ("computed", prefix.computedTokens)] {
                registry.makeGauge(descriptor: descriptor("prefix_cache_prompt_tokens", unit: "",
                                                          help: "Prompt tokens since the model was loaded: taken from the prefix cache (cached) or computed"),
                                   labels: [("model", id), ("kind", kind)]).set(to: Double(tokens))
            }
            registry.makeGauge(descriptor: descriptor("prefix_cache_hits", unit: "", help: "Requests since load that reused a kept prefix"),
                               labels: [("model", id)]).set(to: Double(prefix.hits))
            registry.makeGauge(descriptor: descriptor("prefix_cache", unit: "bytes", help: "Keys and values kept in the prefix cache"),
                               labels: [("model", id)]).set(to: Double(prefix.bytes))
        }
        let counts = adapters.countsByModel
        for id in Set(await pool.modelIDs).union(counts.keys) {
            registry.makeGauge(descriptor: descriptor("adapters_loaded", unit: "", help: "LoRA adapters served, by base model"),
                               labels: [("model", id)]).set(to: Double(counts[id] ?? 0))
        }
        return registry.emitToBuffer()
    }
}
