import Gateway

/// What the expert router decided for one request (`model: "experts"`, or `auto` while a release is live): the
/// route, the chosen expert's record and adapter (nil: none, the base model or the tier routing answers), the
/// deployment routed against and how long routing took, embedding included. `ChatPlanner` makes it; responses show
/// it (`X-GroupQwen-Expert`, the `groupqwen` object's `expert`), the recorder counts it, the cache key holds it.
struct ExpertChoice: Sendable {
    /// The deployment of the live release the request was routed against.
    let deployment: Int
    let route: ExpertRoute
    /// The chosen expert's version; nil when the route is none.
    let record: ExpertRecord?
    /// The chosen expert's adapter; nil when the route is none.
    let adapter: RegisteredAdapter?
    /// Embedding the request and routing it.
    let duration: Duration

    /// `X-GroupQwen-Expert` and the metrics label: the expert's id, or `none`.
    var label: String { record?.id ?? "none" }

    /// The semantic cache's part of the target: the deployment and the chosen expert's version and file, so answers
    /// never cross experts, versions or deployments (nor a none route and the same model asked directly).
    var cacheText: String {
        "experts#\(deployment)|expert=" + (record.map { "\($0.id)@\($0.version)#\(adapter?.fingerprint ?? $0.adapterFingerprint)" } ?? "none")
    }

    /// The `expert` object of the `groupqwen` object; `systemPromptAdded`: the answering candidate prepended the
    /// expert's system prompt.
    func info(systemPromptAdded: Bool) -> RoutingInfo.Expert {
        func rounded(_ value: Float) -> Double { (Double(value) * 1000).rounded() / 1000 }
        return RoutingInfo.Expert(
            id: record?.id, version: record?.version, confidence: rounded(route.confidence),
            best: .init(id: route.best.id, confidence: rounded(route.best.confidence)),
            runnerUp: route.runnerUp.map { .init(id: $0.id, confidence: rounded($0.confidence)) },
            deployment: deployment, systemPromptAdded: systemPromptAdded,
            routingMs: (duration / .milliseconds(1) * 100).rounded() / 100)
    }
}
