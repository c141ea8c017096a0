import Gateway

/// A request's key in the semantic cache: the context that must match exactly (tenant, earlier turns,
/// model or profile, sampling settings) and the query whose meaning is compared (the last user turn).
struct ChatCacheKey: Sendable {
    let context: CacheContext
    let query: String
    /// The query's embedding by the cache's model when the planner already computed it (expert routing), else nil.
    var vector: [Float]? = nil
}
