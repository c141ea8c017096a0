import Gateway
import HTTPTypes

extension ChatPlanner {
    /// `X-GroupQwen-Cache: bypass` on a request skips the semantic cache (as does `"cache": false`).
    static let cacheHeader = HTTPField.Name("X-GroupQwen-Cache")!
    /// Tenant of a request for the cache (with the API key and `user`): answers never cross tenants.
    static let tenantHeader = HTTPField.Name("X-GroupQwen-Tenant")!

    /// The cache key of a cacheable request; nil when the cache is off or bypassed, or the request wants
    /// something a stored answer cannot give (several choices, log-probabilities, `response_format`).
    func cacheKey(_ input: ChatInput, headers: HTTPFields, routing: RoutingPlan) -> ChatCacheKey? {
        let body = input.body, parameters = input.parameters
        guard state.cache != nil, body.cache != false, headers[Self.cacheHeader]?.lowercased() != "bypass",
              parameters.n == 1, !parameters.wantsLogprobs, body.responseFormat == nil else { return nil }
        let messages = body.messages.map { (role: $0.role, text: $0.content) }
        let tenant = "key=\(headers[.authorization] ?? "")|tenant=\(headers[Self.tenantHeader] ?? "")|user=\(parameters.user ?? "")"
        let target = routing.forced ? "model=\(routing.candidates[0].id)" : "auto/\(routing.profile)"
        let settings = "\(parameters.sampling)|max=\(parameters.requestedMaxTokens ?? -1)|stop=\(parameters.stop)|ignore_eos=\(parameters.ignoreEndOfGeneration)"
        return ChatCacheKey(context: CacheContext(tenant: tenant, messages: messages, target: target, settings: settings),
                            query: CacheContext.query(messages))
    }
}
