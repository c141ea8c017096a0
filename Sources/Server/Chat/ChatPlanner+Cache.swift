import Gateway
import HTTPTypes

extension ChatPlanner {
    /// `X-GroupQwen-Cache: bypass` on a request skips the semantic cache (as does `"cache": false`).
    static let cacheHeader = HTTPField.Name("X-GroupQwen-Cache")!
    /// Tenant of a request for the cache (with the API key and `user`): answers never cross tenants.
    static let tenantHeader = HTTPField.Name("X-GroupQwen-Tenant")!

    /// The cache key of a cacheable request; nil when the cache is off or bypassed, or the request wants
    /// something a stored answer cannot give (several choices, log-probabilities, `response_format`, tools: a call
    /// depends on the functions offered and the results of earlier calls).
    /// The adapters of a named model (with their files' fingerprints and scales) are part of the target, so
    /// answers never cross adapters, nor an adapter and the bare model; a routed request's target names the
    /// adapter-models routing may pick, so adding or removing one starts afresh. An expert-routed request's target
    /// adds the deployment and the chosen expert's version (`ExpertChoice.cacheText`), and the key carries the query
    /// vector routing already computed (the expert router's, or the learned router's: `routingVector`). A translation's
    /// query must match exactly (its text is part of the context), never only by meaning.
    func cacheKey(_ input: ChatInput, headers: HTTPFields, routing: RoutingPlan, adapters: AdapterSelection = .none,
                  routable: [RegisteredAdapter] = [], expert: ExpertPlan? = nil, routingVector: [Float]? = nil) -> ChatCacheKey? {
        let body = input.body, parameters = input.parameters
        guard state.cache != nil, body.cache != false, headers[Self.cacheHeader]?.lowercased() != "bypass",
              parameters.n == 1, !parameters.wantsLogprobs, body.responseFormat == nil, body.toolFields.tools.isEmpty,
              !input.messages.contains(where: { $0.role == "tool" || $0.toolCalls != nil }) else { return nil }
        let messages = body.messages.map { (role: $0.role, text: $0.content) }
        let tenant = "key=\(headers[.authorization] ?? "")|tenant=\(headers[Self.tenantHeader] ?? "")|user=\(parameters.user ?? "")"
        var target = routing.forced ? "model=\(routing.candidates[0].id)" : "auto/\(routing.profile)"
        if routing.forced, !adapters.isEmpty { target += "|adapters=\(adapters.cacheText)" }
        if !routing.forced, !routable.isEmpty {
            target += "|routable=" + routable.map { "\($0.modelID)#\($0.fingerprint)@\($0.served.scale)/\($0.served.tier ?? -1)" }
                .sorted().joined(separator: ",")
        }
        if let expert { target += "|" + expert.choice.cacheText }
        let images = body.messages.flatMap(\.images)
        if !images.isEmpty { target += "|images=" + images.map(\.digest).joined(separator: ",") }
        var settings = "\(parameters.sampling)|max=\(parameters.requestedMaxTokens ?? -1)|stop=\(parameters.stop)|ignore_eos=\(parameters.ignoreEndOfGeneration)"
        // A translation answers its exact text: a near paraphrase ("the server starts" / "stops") is another question.
        if input.requiredCapabilities.contains(.translation) { settings += "|text=" + CacheContext.query(messages) }
        // An answer in one language never answers a question asked in another, however close their meanings.
        if let language = routing.language { settings += "|lang=" + language }
        return ChatCacheKey(context: CacheContext(tenant: tenant, messages: messages, target: target, settings: settings),
                            query: CacheContext.query(messages), vector: expert?.queryVector ?? routingVector)
    }
}
